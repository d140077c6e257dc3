"""Tests for fastbow.data.reader: read_imdb on synthetic archives and folders, its errors, fingerprint."""
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from fastbow.data.reader import Split, fingerprint, read_imdb
from fastbow.errors import DataError, FastbowError

REPO = Path(__file__).resolve().parent.parent

# The labeled reviews of a small corpus in aclImdb layout (paths below aclImdb/).
REVIEWS = {
    "train/neg/9_2.txt": b"Dull.<br /><br />Really dull.",
    "train/neg/10_1.txt": b"Worse than nine.",  # id 10 sorts after id 9, not between 1 and 2
    "train/neg/0_3.txt": "Amélie — 東京 ✓".encode("utf-8"),
    "train/pos/2_9.txt": b"",  # an empty review is kept as ""
    "train/pos/11_10.txt": b"bad byte \xff here",  # not UTF-8: counted, decoded as U+FFFD
    "train/pos/1_8.txt": b"Good.",
    "train/pos/extra.txt": b"no numeric id: sorts after the numeric ones",
    "test/neg/100_1.txt": b"Awful.",
    "test/neg/3_4.txt": b"Meh.",
    "test/pos/20_8.txt": b"Great.",
    "test/pos/5_7.txt": "Très bien.".encode("utf-8"),
}
# Members the reader must ignore.
EXTRAS = {
    "README": b"Large Movie Review Dataset v1.0",
    "imdb.vocab": b"the\nand\n",
    "imdbEr.txt": b"0.1\n0.2\n",
    "train/unsup/0_0.txt": b"unlabeled",
    "train/unsup/1_0.txt": b"also unlabeled",
    "train/urls_pos.txt": b"http://www.imdb.com/title/tt0000001/usercomments\n",
    "train/urls_unsup.txt": b"http://www.imdb.com/title/tt0000002/usercomments\n",
    "train/labeledBow.feat": b"0 0:9 1:1\n",
    "test/urls_neg.txt": b"http://www.imdb.com/title/tt0000003/usercomments\n",
    "train/pos/._1_8.txt": b"\x00\x05\x16\x07 macOS resource fork",
    "train/neg/notes.md": b"not a review",
}
FILES = {**REVIEWS, **EXTRAS}

EXPECTED = {
    "train": (
        ["neg/0_3.txt", "neg/9_2.txt", "neg/10_1.txt", "pos/1_8.txt", "pos/2_9.txt", "pos/11_10.txt", "pos/extra.txt"],
        [0, 0, 0, 1, 1, 1, 1],
        [
            "Amélie — 東京 ✓",
            "Dull.<br /><br />Really dull.",
            "Worse than nine.",
            "Good.",
            "",
            "bad byte \ufffd here",
            "no numeric id: sorts after the numeric ones",
        ],
        1,
    ),
    "test": (["neg/3_4.txt", "neg/100_1.txt", "pos/5_7.txt", "pos/20_8.txt"], [0, 0, 1, 1],
             ["Meh.", "Awful.", "Très bien.", "Great."], 0),
}


def write_archive(path: Path, files: dict, *, seed: int = 0, dirs=True, top: str = "aclImdb") -> Path:
    """Write ``files`` ({relative path: bytes}) as a gzip tar below ``top/``, members in shuffled order.

    ``dirs``: True adds a directory member for every parent folder; an iterable adds only those.
    """
    if dirs is True:
        dirs = {str(Path(name).parent) for name in files} - {"."}
        dirs |= {str(Path(d).parent) for d in dirs} - {"."}
    entries = [(name, data) for name, data in files.items()] + [(d, None) for d in dirs or ()]
    random.Random(seed).shuffle(entries)
    with tarfile.open(path, "w:gz") as tf:
        for name, data in entries:
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def write_folder(root: Path, files: dict, *, empty_dirs=()) -> Path:
    """Write ``files`` below ``root/aclImdb/`` and return ``root``."""
    for name, data in files.items():
        p = root / "aclImdb" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    for d in empty_dirs:
        (root / "aclImdb" / d).mkdir(parents=True, exist_ok=True)
    return root


def plain(result: dict) -> dict:
    """A comparable form of read_imdb's result."""
    return {s: (sp.doc_ids, sp.labels.tolist(), sp.texts, sp.classes, sp.n_decode_errors) for s, sp in result.items()}


def read_quietly(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnicodeWarning)
        return read_imdb(path, **kw)


@pytest.fixture
def archive(tmp_path):
    return write_archive(tmp_path / "aclImdb_v1.tar.gz", FILES)


def test_archive_values_order_and_types(archive):
    result = read_quietly(archive)
    assert list(result) == ["train", "test"]
    for split, (doc_ids, labels, texts, n_bad) in EXPECTED.items():
        sp = result[split]
        assert isinstance(sp, Split)
        assert sp.classes == ("neg", "pos")
        assert sp.doc_ids == doc_ids
        assert sp.labels.dtype == np.int64 and sp.labels.shape == (len(doc_ids),)
        assert sp.labels.tolist() == labels
        assert sp.texts == texts
        assert sp.n_decode_errors == n_bad


def test_result_does_not_depend_on_member_order(tmp_path):
    a = read_quietly(write_archive(tmp_path / "a.tar.gz", FILES, seed=1))
    b = read_quietly(write_archive(tmp_path / "b.tar.gz", FILES, seed=2, dirs=()))
    c = read_quietly(write_archive(tmp_path / "c.tar.gz", FILES, seed=3, top=""))  # no aclImdb/ top folder
    assert plain(a) == plain(b) == plain(c)


def test_folder_and_archive_agree(archive, tmp_path):
    parent = write_folder(tmp_path / "extracted", FILES)
    from_archive = plain(read_quietly(archive))
    assert plain(read_quietly(parent / "aclImdb")) == from_archive
    assert plain(read_quietly(parent)) == from_archive  # the folder that holds aclImdb/
    assert plain(read_quietly(str(parent / "aclImdb"))) == from_archive  # str works like Path


def test_decode_errors_warn_once_per_split(archive):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_imdb(archive)
    messages = [str(w.message) for w in caught if issubclass(w.category, UnicodeWarning)]
    assert len(messages) == 1  # train has one bad document, test none
    assert messages[0].startswith("1 of 7 documents in split 'train'")
    assert caught[0].filename == __file__  # stacklevel points at the caller
    assert result["train"].n_decode_errors == 1 and result["test"].n_decode_errors == 0


def test_reads_only_requested_splits(archive):
    result = read_quietly(archive, splits=("test",))
    assert list(result) == ["test"]
    assert result["test"].doc_ids == EXPECTED["test"][0]


def test_decoding_ignores_the_locale(archive):
    """Under LANG=C (and UTF-8 mode off) the locale encoding is ASCII; the texts must not change."""
    script = (
        "import json, locale, sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "assert locale.getpreferredencoding(False).lower().replace('-', '') not in ('utf8',), locale.getpreferredencoding(False)\n"
        "assert sys.flags.utf8_mode == 0\n"
        "from fastbow.data.reader import read_imdb\n"
        "r = read_imdb(sys.argv[1])\n"
        "print(json.dumps({s: [sp.texts, sp.n_decode_errors] for s, sp in r.items()}, ensure_ascii=True))\n"
    )
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", script, str(archive)], env=env, capture_output=True, text=True,
                          encoding="ascii", timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got == {s: [exp[2], exp[3]] for s, exp in EXPECTED.items()}


# ---------------------------------------------------------------------------- errors


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match=r"nowhere\.tar\.gz not found; pass --data PATH or set FASTBOW_DATA"):
        read_imdb(tmp_path / "nowhere.tar.gz")


def test_truncated_archive(tmp_path):
    rng = random.Random(0)  # incompressible reviews so the cut lands inside member data
    files = {**FILES, **{f"train/pos/{100 + i}_9.txt": rng.randbytes(4000) for i in range(8)}}
    whole = write_archive(tmp_path / "whole.tar.gz", files).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"cut\.tar\.gz is truncated or corrupt \(.+\); download it again"):
        read_imdb(cut)


@pytest.mark.parametrize("content, kind", [
    (b"\x00\xff" * 2500, "binary data of an unknown kind"), (b"", "an empty file"),
    (b"plain text, not gzip\n", "plain text"), (b"<!DOCTYPE html><html>", "HTML"),
    (b"PK\x03\x04" + bytes(100), "a zip file")], ids=["random", "empty", "text", "html", "zip"])
def test_not_a_tar_says_what_the_file_is(tmp_path, content, kind):
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(content)
    with pytest.raises(DataError, match=rf"aclImdb_v1\.tar\.gz is not a tar archive \(it is {kind}.*\); pass the"):
        read_imdb(bad)


@pytest.mark.parametrize("mode, name", [("w", "a.tar"), ("w:bz2", "a.tar.bz2"), ("w:xz", "a.txz")])
def test_any_tar_compression_is_read(tmp_path, archive, mode, name):
    # issue 10, item 4: an uncompressed tar, or any compression tarfile detects, gives the same documents
    with tarfile.open(archive) as src, tarfile.open(tmp_path / name, mode) as dst:
        for m in src.getmembers():
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
    assert same(read_quietly(tmp_path / name), read_quietly(archive))


def same(a: dict, b: dict) -> bool:
    """Two read_imdb results hold the same documents, labels, classes and ids."""
    return a.keys() == b.keys() and all(
        (x.texts, x.labels.tolist(), x.classes, x.doc_ids) == (y.texts, y.labels.tolist(), y.classes, y.doc_ids)
        for x, y in ((a[k], b[k]) for k in a))


def test_linked_reviews_are_read_from_archive_and_folder_alike(tmp_path):
    # issue 10, item 4: links that hold a review are followed, never skipped; a dangling one is an error
    root = write_folder(tmp_path / "f", FILES) / "aclImdb"
    (root / "train" / "pos" / "90_9.txt").symlink_to("1_8.txt")                        # relative symlink
    os.link(root / "train" / "neg" / "0_3.txt", root / "train" / "neg" / "91_1.txt")  # hard link
    arch = tmp_path / "links.tar"
    with tarfile.open(arch, "w") as tf:
        tf.add(root, arcname="aclImdb")  # stores the symlink as a symlink and the second name as a hard link
    kinds = {m.name.rsplit("/", 1)[-1]: m.type for m in tarfile.open(arch).getmembers()}
    assert kinds["90_9.txt"] == tarfile.SYMTYPE and tarfile.LNKTYPE in (kinds["91_1.txt"], kinds["0_3.txt"])
    a, f = read_quietly(arch), read_quietly(root)
    assert same(a, f) and "pos/90_9.txt" in a["train"].doc_ids and "neg/91_1.txt" in a["train"].doc_ids
    (root / "train" / "pos" / "92_9.txt").symlink_to("nowhere.txt")
    with pytest.raises(DataError, match=r"92_9\.txt is a link to nowhere\.txt, which is not a file"):
        read_imdb(root)
    with tarfile.open(tmp_path / "dangling.tar", "w") as tf:
        tf.add(root, arcname="aclImdb")
    with pytest.raises(DataError, match=r"review aclImdb/train/pos/92_9\.txt is a link to nowhere\.txt, which is not"):
        read_imdb(tmp_path / "dangling.tar")


def test_corrupt_gzip_payload(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    for i in range(40, len(data) - 40):  # keep the gzip header and trailer, scramble the deflate stream
        data[i] ^= 0x5A
    bad = tmp_path / "scrambled.tar.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"scrambled\.tar\.gz is truncated or corrupt"):
        read_imdb(bad)


def test_missing_split(tmp_path):
    files = {k: v for k, v in FILES.items() if not k.startswith("test/")}
    with pytest.raises(DataError, match=r"has no 'test' split folder \(expected aclImdb/test/<class>/"):
        read_quietly(write_archive(tmp_path / "a.tar.gz", files))
    with pytest.raises(DataError, match=r"has no 'test' split folder"):
        read_quietly(write_folder(tmp_path / "f", files))
    assert read_quietly(tmp_path / "a.tar.gz", splits=("train",))["train"].doc_ids == EXPECTED["train"][0]


def test_missing_class_folder(tmp_path):
    files = {k: v for k, v in FILES.items() if not k.startswith("test/neg/")}
    with pytest.raises(DataError, match=r"split 'test' of .* has 1 class folder\(s\) \(pos\); need at least 2"):
        read_quietly(write_archive(tmp_path / "a.tar.gz", files))
    with pytest.raises(DataError, match=r"split 'test' of .* has 1 class folder\(s\) \(pos\); need at least 2"):
        read_quietly(write_folder(tmp_path / "f", files))


def test_empty_class_folder(tmp_path):
    files = {k: v for k, v in FILES.items() if not k.startswith("train/neg/")}
    files["train/neg/notes.md"] = b"a folder with no .txt review"
    msg = r"split 'train' of .* has no documents in class 'neg' \(expected train/neg/<id>_<rating>\.txt\)"
    with pytest.raises(DataError, match=msg):
        read_quietly(write_archive(tmp_path / "a.tar.gz", files))
    files.pop("train/neg/notes.md")
    with pytest.raises(DataError, match=msg):  # only a directory member, no files at all
        read_quietly(write_archive(tmp_path / "b.tar.gz", files, dirs={"train/neg"}))
    with pytest.raises(DataError, match=msg):
        read_quietly(write_folder(tmp_path / "f", files, empty_dirs=["train/neg"]))


def test_splits_with_different_classes(tmp_path):
    files = {**FILES, "test/neutral/7_5.txt": b"So-so."}
    with pytest.raises(DataError, match=r"different class folders: 'train' has \(neg, pos\), 'test' has \(neg, neutral, pos\)"):
        read_quietly(write_archive(tmp_path / "a.tar.gz", files))


@pytest.mark.parametrize("splits", ["train", (), ("train", "train"), ("../x",), (3,)])
def test_bad_splits_argument(archive, splits):
    with pytest.raises(FastbowError, match=r"splits should be"):
        read_imdb(archive, splits=splits)


# ---------------------------------------------------------------------------- fingerprint


def test_fingerprint_archive_is_sha256_and_memoized(archive, monkeypatch):
    import hashlib

    import fastbow.data.reader as reader
    from fastbow.data.datapath import cache_dir

    expected = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert fingerprint(archive) == expected
    memo = json.loads((cache_dir() / "fingerprints.json").read_text(encoding="utf-8"))
    assert memo[str(archive.resolve())]["sha256"] == expected

    def no_hashing(*a, **k):
        raise AssertionError("the memo should have answered")

    with monkeypatch.context() as m:  # not monkeypatch.undo(): that would also drop conftest's FASTBOW_CACHE_DIR
        m.setattr(reader.hashlib, "file_digest", no_hashing)
        assert fingerprint(str(archive)) == expected  # answered from the memo

    write_archive(archive, {**FILES, "train/pos/3_7.txt": b"new"})  # new content, new mtime
    assert fingerprint(archive) == hashlib.sha256(archive.read_bytes()).hexdigest() != expected


def test_fingerprint_survives_a_damaged_memo(archive):
    from fastbow.data.datapath import cache_dir

    (cache_dir() / "fingerprints.json").write_text("{not json", encoding="utf-8")
    first = fingerprint(archive)
    assert len(first) == 64 and fingerprint(archive) == first


def test_fingerprint_folder(tmp_path):
    root = write_folder(tmp_path / "f", FILES)
    first = fingerprint(root)
    assert len(first) == 64 and int(first, 16) >= 0
    assert fingerprint(root / "aclImdb") == first  # the folder or its parent
    (root / "aclImdb" / "train" / "unsup" / "9_0.txt").write_bytes(b"ignored")
    (root / "aclImdb" / "README").write_bytes(b"ignored too")
    assert fingerprint(root) == first
    (root / "aclImdb" / "test" / "pos" / "30_9.txt").write_bytes(b"a new review")
    second = fingerprint(root)
    assert second != first
    review = root / "aclImdb" / "train" / "neg" / "9_2.txt"
    review.write_bytes(b"rewritten, longer than before")
    assert fingerprint(root) != second


def test_fingerprint_missing_path(tmp_path):
    with pytest.raises(DataError, match=r"not found; pass --data PATH or set FASTBOW_DATA"):
        fingerprint(tmp_path / "gone")


# ---------------------------------------------------------------------------- the real archive


def test_real_archive(imdb_archive):
    t0 = time.perf_counter()
    result = read_imdb(imdb_archive)
    seconds = time.perf_counter() - t0
    print(f"read_imdb({imdb_archive.name}): {seconds:.2f} s for 100,000 reviews")
    for split in ("train", "test"):
        sp = result[split]
        assert sp.classes == ("neg", "pos")
        assert np.bincount(sp.labels).tolist() == [12_500, 12_500]
        assert sp.labels.tolist() == [0] * 12_500 + [1] * 12_500  # sorted by label
        assert all(d.startswith("neg/") for d in sp.doc_ids[:12_500])
        assert all(d.startswith("pos/") for d in sp.doc_ids[12_500:])
        assert len(set(sp.doc_ids)) == 25_000
        assert sp.n_decode_errors == 0
        assert all(sp.texts)  # no empty review in IMDB
        ids = [int(d.split("/")[1].split("_")[0]) for d in sp.doc_ids[:12_500]]
        assert ids == list(range(12_500))  # numeric id order: 0, 1, ..., 12499
        ratings = [int(d[:-4].split("_")[1]) for d in sp.doc_ids]
        assert max(ratings[:12_500]) <= 4 and min(ratings[12_500:]) >= 7  # labels agree with ratings
    assert result["train"].doc_ids[0] == "neg/0_3.txt"
    assert result["train"].texts[0].startswith("Story of a man who has unnatural feelings for a pig.")
    assert result["test"].doc_ids[0] == "neg/0_2.txt"


def test_real_archive_fingerprint(imdb_archive):
    sums = imdb_archive.with_name("SHA256SUMS")
    got = fingerprint(imdb_archive)
    assert len(got) == 64
    if sums.is_file():
        listed = dict(line.split()[::-1] for line in sums.read_text().splitlines() if line.strip())
        if imdb_archive.name in listed:
            assert got == listed[imdb_archive.name]
    t0 = time.perf_counter()
    assert fingerprint(imdb_archive) == got
    assert time.perf_counter() - t0 < 0.5  # memoized: no rehash


def test_a_folder_that_holds_the_archive_names_it(tmp_path):
    (tmp_path / "aclImdb_v1.tar.gz").write_bytes(b"")
    with pytest.raises(DataError, match=r"has no 'train' split folder, but it holds aclImdb_v1.tar.gz; pass that file"):
        read_imdb(tmp_path)
