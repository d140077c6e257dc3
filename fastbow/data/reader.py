"""Read the IMDB Large Movie Review dataset into memory, from the archive or a folder.

The dataset (Maas et al., ACL 2011) is laid out as ``aclImdb/<split>/<class>/<id>_<rating>.txt``;
see ``shared/data/README.md``. :func:`read_imdb` accepts either the ``aclImdb_v1.tar.gz`` archive,
streamed in one pass and never extracted to disk, or the extracted ``aclImdb/`` folder (or its parent),
and gives the same result for both::

    >>> splits = read_imdb("aclImdb_v1.tar.gz")          # doctest: +SKIP
    >>> train = splits["train"]
    >>> len(train.texts), train.labels.dtype, train.classes, train.doc_ids[0]
    (25000, dtype('int64'), ('neg', 'pos'), 'neg/0_3.txt')

Conventions (the same for the archive and the folder):

- A document is a member ``<split>/<class>/<file>.txt``, optionally below one top folder ``aclImdb/``.
  Everything else is ignored: ``train/unsup/`` (unlabeled; its bytes are not even read), ``urls_*.txt``,
  ``*.feat``, ``imdb.vocab``, ``imdbEr.txt``, ``README``, deeper folders and hidden names (``.*``,
  e.g. macOS ``._*`` resource forks).
- Classes are the subfolders of a split folder other than ``unsup``, sorted by name; label ``i`` is
  ``classes[i]``, so IMDB gets ``neg=0, pos=1``. Labels come from folder names only, never from the
  rating in the file name.
- Document order is by label, then by numeric review id (the ``<id>`` of ``<id>_<rating>.txt``), then by
  file name; names whose stem does not start with ASCII digits sort after the numeric ones, by name.
  The order never depends on the order of archive members or of the file system.
- Bytes are decoded as UTF-8 explicitly (never the locale's encoding) with ``errors="replace"``;
  documents that needed a replacement are counted in ``Split.n_decode_errors`` and reported with one
  ``UnicodeWarning`` per split. A leading byte order mark is dropped. Text is otherwise untouched (HTML ``<br />`` stays). An empty file is
  kept as the document ``""``.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import lzma
import os
import tarfile
import warnings
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from fastbow.atomic import write_json
from fastbow.data.gunzip import inflate
from fastbow.data.tarscan import scan_tar
from fastbow.data.texts import decode
from fastbow.errors import DataError, FastbowError
from fastbow.filekind import describe_file

__all__ = ["Split", "read_imdb", "fingerprint"]

_TOP = "aclImdb"  # the archive's single top folder; optional
_UNSUP = "unsup"  # IMDB's unlabeled training reviews, never a class
_FINGERPRINTS = "fingerprints.json"  # memo of archive sha256s, under datapath.cache_dir()
_MAX_MEMO = 64  # entries kept in the memo; the oldest are dropped


class Split(NamedTuple):
    """One split of the dataset, in the documented order (label, numeric id, file name).

    Attributes:
        texts (list[str]): the reviews, ``n_docs`` strings decoded from UTF-8; ``""`` for an empty file.
        labels (np.ndarray): shape ``(n_docs,)``, dtype int64; ``labels[j]`` indexes ``classes``.
        classes (tuple[str, ...]): class folder names, sorted; IMDB gives ``("neg", "pos")``.
        doc_ids (list[str]): path of each review relative to the split folder, e.g. ``"pos/123_8.txt"``.
        n_decode_errors (int): documents whose bytes were not valid UTF-8 (decoded with U+FFFD).
    """

    texts: list[str]
    labels: np.ndarray
    classes: tuple[str, ...]
    doc_ids: list[str]
    n_decode_errors: int


def read_imdb(path: str | os.PathLike, splits=("train", "test")) -> dict[str, Split]:
    """Read the labeled reviews of ``splits`` from the IMDB archive or folder at ``path``.

    Args:
        path (str or PathLike): ``aclImdb_v1.tar.gz`` or any tar archive, plain or compressed in a way
            ``tarfile`` detects (gzip, bzip2, xz), read in one pass, members in archive order, nothing
            written to disk (see :func:`_archive_members`); reviews stored as symbolic or hard links are
            read from their targets (after the pass), as the folder reader follows links; or the extracted
            ``aclImdb/`` folder, or the folder that holds ``aclImdb/``.
        splits (sequence of str): split folder names to read; default ``("train", "test")``.

    Returns:
        dict[str, Split]: one :class:`Split` per requested name, in the order of ``splits``. All splits
        share the same ``classes``.

    Raises:
        DataError: ``path`` is missing; the file is not a tar archive (the message says what it is), or is
            truncated or corrupt; a review is a link to nothing readable; a split
            folder is missing; a split has fewer than 2 class folders or a class with no documents; the
            splits' class folders differ.
        FastbowError: ``splits`` is empty, a bare string, or names something that is not a folder name.

    Cost, measured on the real archive (100,000 labeled reviews; the 50,000 ``unsup`` members are skipped
    without reading them): with ``tarfile`` over ``GzipFile`` about 3.5 CPU-seconds, of which ~2.5 s was
    parsing 100,009 headers and ~0.6 s inflating 215 MB. The archive is now inflated in memory in one C call
    (:mod:`fastbow.data.gunzip`) and its plain headers walked by :mod:`fastbow.data.tarscan` (``tarfile``
    reads whatever that declines): 0.3x the time, side by side on the shared 2-core CPU
    (``benchmarks/RESULTS.md``, section e). The extracted folder takes about 0.7 CPU-seconds
    (``tests/test_reader.py::test_real_archive`` prints the time).
    """
    splits = _check_splits(splits)
    path = _existing(path)
    if path.is_dir():
        found = _scan_folder(_folder_root(path, splits), splits)
    else:
        found = _scan_archive(path, splits)
    where = str(path)
    result = {}
    for s in splits:  # a loop, not a comprehension, so the warning's stacklevel reaches the caller
        result[s] = _build_split(where, s, *found[s])
    first = splits[0]
    for s in splits[1:]:
        if result[s].classes != result[first].classes:
            raise DataError(
                f"splits of {where} have different class folders: {first!r} has "
                f"{_names(result[first].classes)}, {s!r} has {_names(result[s].classes)}; "
                "every split needs the same class folders"
            )
    return result


def fingerprint(path: str | os.PathLike) -> str:
    """Hex sha256 that identifies the dataset's content, for cache keys.

    For a file (archive or table): the sha256 of the file's bytes, memoized in
    ``<cache_dir()>/fingerprints.json`` keyed by (absolute path, size, mtime_ns, ctime_ns, inode,
    device), so a second call on an unchanged file reads no data. Size and mtime alone are not
    enough: ``cp -p``, ``rsync -a`` and ``tar x`` rewrite a file and restore its mtime, so a table
    re-written with the same size would get the old CSR and the old labels. The inode change time
    (ctime) is set by the kernel on every write, rename or ``utime`` and no tool can restore it,
    so any rewrite misses the memo and the bytes are hashed again. Measured on the 57 MB IMDB
    archive (2 shared cores): sha256 0.16 s, blake2b 0.28 s, sha1 0.13 s (hashlib with SHA-NI),
    so sha256 stays; a memo hit costs one ``stat``.
    For a folder (``aclImdb/`` or its parent): the sha256 of the sorted (relative path, size,
    mtime_ns, ctime_ns, inode) of its review files ``<split>/<class>/*.txt`` (``unsup`` excluded),
    which changes when a review is added, removed or rewritten (a copy gets new ctimes).

    Raises:
        DataError: ``path`` is missing.
    """
    path = _existing(path)
    if path.is_dir():
        return _folder_fingerprint(_folder_root(path, ()))
    from fastbow.data.datapath import (
        cache_dir,  # local import: datapath imports nothing from here
    )

    real = path.resolve()
    st = real.stat()
    key = str(real)
    memo_path = cache_dir() / _FINGERPRINTS
    memo = _load_memo(memo_path)
    hit = memo.get(key)
    stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns, "ino": st.st_ino,
             "dev": st.st_dev}
    if hit and all(hit.get(k) == v for k, v in stamp.items()):
        return hit["sha256"]
    with open(real, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    memo.pop(key, None)
    memo[key] = stamp | {"sha256": digest}
    _save_memo(memo_path, dict(list(memo.items())[-_MAX_MEMO:]))
    return digest


# ---------------------------------------------------------------------------- argument checks


def _check_splits(splits) -> tuple[str, ...]:
    if isinstance(splits, (str, bytes)) or not hasattr(splits, "__iter__"):
        raise FastbowError(f"splits should be a sequence of split names like ('train', 'test'), but got splits={splits!r}")
    out = tuple(splits)
    bad = [s for s in out if not isinstance(s, str) or not _is_plain_name(s)]
    if not out or bad or len(set(out)) != len(out):
        raise FastbowError(
            "splits should be distinct folder names like ('train', 'test'), "
            f"but got splits={out!r}" + (f" (bad: {bad!r})" if bad else "")
        )
    return out


def _existing(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise FastbowError(f"path should be a str or os.PathLike, but got {type(path).__name__}: {path!r}")
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"IMDB data {p} not found; pass --data PATH or set FASTBOW_DATA")
    return p


def _is_plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


# ---------------------------------------------------------------------------- scanning
# Both scanners return {split: (present, class_names, docs)} where docs is a list of
# (class_name, file_name, raw_bytes); _build_split validates, sorts and decodes.


def _scan_archive(path: Path, splits: tuple[str, ...]) -> dict:
    wanted = set(splits)
    present: set[str] = set()
    classes: dict[str, set[str]] = {s: set() for s in splits}
    docs: dict[str, list] = {s: [] for s in splits}
    links = []  # (split, class, name, member): read after the walk, when every link target is known
    try:
        with _open_archive(path) as walk:
            for name, is_dir, is_file, is_link, read in walk:
                parts = _member_parts(name)
                if not parts or parts[0] not in wanted:
                    continue
                split = parts[0]
                present.add(split)
                if len(parts) < 2 or (len(parts) == 2 and not is_dir):
                    continue  # the split folder itself, or a file beside the classes (urls_pos.txt, *.feat)
                cls = parts[1]
                if cls == _UNSUP or _is_hidden(cls):
                    continue  # skipped without reading its bytes
                classes[split].add(cls)
                if len(parts) == 3 and _is_review(parts[2]):
                    if is_file:
                        docs[split].append((cls, parts[2], read()))
                    elif is_link:
                        links.append((split, cls, parts[2], read))
            for split, cls, name, read in links:  # as the folder reader follows links, so does the archive's
                docs[split].append((cls, name, read()))
    except PermissionError as e:
        raise DataError(f"cannot read {path} ({e.strerror}); check its permissions or pass --data PATH") from e
    except (tarfile.TarError, EOFError, zlib.error, OSError, lzma.LZMAError) as e:
        reason = str(e).strip() or type(e).__name__
        raise DataError(f"{path} is truncated or corrupt ({reason}); download it again") from e
    return {s: (s in present, classes[s], docs[s]) for s in splits}


def _read_link(tf: tarfile.TarFile, path: Path, m: tarfile.TarInfo) -> bytes:
    """The bytes a symbolic or hard link member points to, or a DataError naming the link."""
    try:
        f = tf.extractfile(m)  # resolves the target among the archive's members
    except KeyError:
        f = None
    if f is None:
        raise DataError(f"{path}: review {m.name} is a link to {m.linkname}, which is not a file in the archive; "
                        "pack the archive with the file itself (tar --dereference)")
    return f.read()


def _open_tar(path: Path, raw: bytes | None) -> tarfile.TarFile:
    """``tarfile`` over the inflated bytes ``raw``, or over ``path`` in any compression it detects.

    Raises:
        DataError: ``path`` is no tar archive; the message says what it is (:func:`fastbow.filekind.describe_file`).
    """
    if raw is not None:
        return tarfile.open(fileobj=io.BytesIO(raw), mode="r:")
    try:
        return tarfile.open(path, "r:*")  # plain tar or any compression tarfile detects (gzip, bzip2, xz)
    except tarfile.ReadError:
        kind = describe_file(path)
        mode = {"a gzip file": "r:gz", "a bzip2 file": "r:bz2", "an xz file": "r:xz"}.get(kind)
        if mode is None:
            raise DataError(f"{path} is not a tar archive (it is {kind}); pass the aclImdb_v1.tar.gz "
                            "archive or the aclImdb folder, or download the dataset again") from None
        return tarfile.open(path, mode)  # compressed but unreadable: this mode's own error (truncated, corrupt)


@contextlib.contextmanager
def _open_archive(path: Path):
    """Yields an iterator of ``(name, is_dir, is_file, is_link, read)`` per member, in archive order;
    ``read()`` gives the bytes (for a link: its target's, or a DataError naming it).

    Fast path: a gzip archive inflated in memory in one C call (:mod:`fastbow.data.gunzip`) and its plain
    headers walked by :func:`fastbow.data.tarscan.scan_tar`. ``tarfile`` reads whatever that declines
    (links, long names, pax headers: over the in-memory bytes), archives too large to inflate in memory,
    and other compressions (bzip2, xz, none).
    """
    raw = inflate(path)
    members = scan_tar(raw) if raw is not None else None
    if members is not None:
        yield ((m.name, m.is_dir, m.is_file, False, (lambda data=m.data: data)) for m in members)
        return
    with _open_tar(path, raw) as tf:
        # tf.next() walks the tar once; an unread member's bytes are skipped.
        def walk():
            while (m := tf.next()) is not None:
                read = ((lambda m=m: _read_link(tf, path, m)) if (m.issym() or m.islnk())
                        else (lambda m=m: tf.extractfile(m).read()))
                yield m.name, m.isdir(), m.isfile(), m.issym() or m.islnk(), read
        yield walk()


def _member_parts(name: str) -> list[str]:
    parts = [p for p in name.split("/") if p and p != "."]
    if parts and parts[0] == _TOP:
        parts = parts[1:]
    return parts


def _is_review(name: str) -> bool:
    return name.endswith(".txt") and not _is_hidden(name)


def _folder_root(path: Path, splits: tuple[str, ...]) -> Path:
    """``path`` itself, or ``path/aclImdb`` when ``path`` is its parent."""
    nested = path / _TOP
    if nested.is_dir() and not any((path / s).is_dir() for s in splits or ("train", "test")):
        return nested
    return path


def _scan_folder(root: Path, splits: tuple[str, ...]) -> dict:
    out = {}
    for split in splits:
        folder = root / split
        if not folder.is_dir():
            out[split] = (False, set(), [])
            continue
        classes, docs = set(), []
        for entry in os.scandir(folder):
            if entry.name == _UNSUP or _is_hidden(entry.name) or not entry.is_dir():
                continue
            classes.add(entry.name)
            for f in os.scandir(entry.path):
                if not _is_review(f.name):
                    continue
                if f.is_file():  # follows symbolic links, as the archive reader does
                    with open(f.path, "rb") as fh:
                        docs.append((entry.name, f.name, fh.read()))
                elif f.is_symlink():
                    raise DataError(f"review {f.path} is a link to {os.readlink(f.path)}, which is not a file; "
                                    "fix or remove the link")
        out[split] = (True, classes, docs)
    return out


# ---------------------------------------------------------------------------- building


def _sort_key(label: int, name: str):
    head = name[:-4].split("_", 1)[0]  # "123" of "123_8.txt"
    if head.isascii() and head.isdigit():
        return (label, 0, int(head), name)
    return (label, 1, 0, name)


def _build_split(where: str, split: str, present: bool, class_names: set, docs: list) -> Split:
    if not present:
        archives = sorted(p.name for p in Path(where).glob("*.tar*")) if Path(where).is_dir() else []
        if archives:
            raise DataError(f"{where} has no {split!r} split folder, but it holds {archives[0]}; "
                            f"pass that file: --data {Path(where) / archives[0]}")
        raise DataError(
            f"{where} has no {split!r} split folder (expected {_TOP}/{split}/<class>/<id>_<rating>.txt); "
            "pass the aclImdb_v1.tar.gz archive or the aclImdb folder, or download the dataset again"
        )
    classes = tuple(sorted(class_names))
    if len(classes) < 2:
        raise DataError(
            f"split {split!r} of {where} has {len(classes)} class folder(s) {_names(classes)}; "
            "need at least 2 (IMDB has neg and pos); download the dataset again"
        )
    label_of = {c: i for i, c in enumerate(classes)}
    counts = dict.fromkeys(classes, 0)
    for cls, _, _ in docs:
        counts[cls] += 1
    for cls, n in counts.items():
        if n == 0:
            raise DataError(
                f"split {split!r} of {where} has no documents in class {cls!r} "
                f"(expected {split}/{cls}/<id>_<rating>.txt); download the dataset again"
            )
    docs.sort(key=lambda d: _sort_key(label_of[d[0]], d[1]))

    n = len(docs)
    texts: list[str] = [""] * n
    labels = np.empty(n, dtype=np.int64)  # (n_docs,)
    doc_ids: list[str] = [""] * n
    n_bad = 0
    for j, (cls, name, raw) in enumerate(docs):
        texts[j], bad = decode(raw)  # a leading byte order mark is dropped
        n_bad += bad
        labels[j] = label_of[cls]
        doc_ids[j] = f"{cls}/{name}"
    if n_bad:
        warnings.warn(
            f"{n_bad} of {n} documents in split {split!r} of {where} held bytes that are not UTF-8; "
            "they were replaced with U+FFFD",
            UnicodeWarning,
            stacklevel=3,
        )
    return Split(texts, labels, classes, doc_ids, n_bad)


def _names(classes) -> str:
    return "(" + ", ".join(classes) + ")"


# ---------------------------------------------------------------------------- fingerprints


def _folder_fingerprint(root: Path) -> str:
    rows = []
    for split in os.scandir(root):
        if _is_hidden(split.name) or not split.is_dir():
            continue
        for cls in os.scandir(split.path):
            if cls.name == _UNSUP or _is_hidden(cls.name) or not cls.is_dir():
                continue
            for f in os.scandir(cls.path):
                if _is_review(f.name) and f.is_file():
                    st = f.stat()
                    rows.append((f"{split.name}/{cls.name}/{f.name}", st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                 st.st_ino))
    h = hashlib.sha256(b"fastbow-folder-v2\n")  # v2: ctime and inode too (a copy that keeps mtimes)
    for row in sorted(rows):
        h.update("\0".join(map(str, row)).encode("utf-8", "surrogateescape") + b"\n")
    return h.hexdigest()


def _load_memo(memo_path: Path) -> dict:
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: start again
    return memo if isinstance(memo, dict) else {}


def _save_memo(memo_path: Path, memo: dict) -> None:
    """Write the memo atomically; concurrent writers race harmlessly (the last one wins)."""
    try:
        write_json(memo_path, memo)
    except OSError:
        pass  # a read-only cache only costs the memo, not the answer