"""Find the IMDB dataset on this machine, or download it once into fastbow's cache.

:func:`resolve_data_path` looks in this order and takes the first that exists:

1. ``data``, the command line's ``--data PATH`` (archive or ``aclImdb/`` folder); missing → ``DataError``,
   no fallback, because a path the user typed that does not exist is a mistake to report.
2. ``$FASTBOW_DATA`` (same rules as ``--data``; an empty value counts as unset).
3. ``<cache_dir()>/aclImdb_v1.tar.gz``, where an earlier download went.
4. torchtext's copy, ``$TORCH_HOME/text/datasets/IMDB/aclImdb_v1.tar.gz`` (``TORCH_HOME`` defaults to
   ``$XDG_CACHE_HOME/torch``, else ``~/.cache/torch``, as in ``torch.hub``).
5. Download ``IMDB_URL`` into ``<cache_dir()>/aclImdb_v1.tar.gz``, MD5-checked (only with ``download=True``).
"""
from __future__ import annotations

import os
from pathlib import Path

from fastbow.errors import DataError, DownloadError

__all__ = ["IMDB_URL", "IMDB_MD5", "ARCHIVE_NAME", "cache_dir", "candidate_paths", "resolve_data_path"]

IMDB_URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"  # the official release
IMDB_MD5 = "7c2ac02c03563afcf9b574c7e56c153a"  # MD5 of the official archive (as torchtext checks it)
ARCHIVE_NAME = "aclImdb_v1.tar.gz"

_HINT = "pass --data PATH (the aclImdb_v1.tar.gz archive or the aclImdb folder) or set FASTBOW_DATA"


def cache_dir() -> Path:
    """fastbow's cache folder, created on demand.

    ``$FASTBOW_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/fastbow``, else ``~/.cache/fastbow``
    (the XDG Base Directory convention). Empty variables count as unset.

    Raises:
        DataError: the folder cannot be created.
    """
    path = _cache_root()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(
            f"cannot create the cache folder {path} ({e.strerror or e}); set FASTBOW_CACHE_DIR to a writable folder"
        ) from e
    return path


def candidate_paths() -> list[tuple[str, Path]]:
    """The places searched after ``--data``, in order, as ``(source, path)``; nothing is created.

    Sources: ``"FASTBOW_DATA"`` (only when set), ``"fastbow cache"``, ``"torchtext cache"``.
    """
    out = []
    env = os.environ.get("FASTBOW_DATA")
    if env:
        out.append(("FASTBOW_DATA", Path(env).expanduser()))
    out.append(("fastbow cache", _cache_root() / ARCHIVE_NAME))
    out.append(("torchtext cache", _torch_home() / "text" / "datasets" / "IMDB" / ARCHIVE_NAME))
    return out


def resolve_data_path(data=None, *, download: bool = True, url: str = IMDB_URL, md5: str | None = IMDB_MD5) -> Path:
    """Path of the IMDB archive or folder to read, found or downloaded in the order of the module docstring.

    Args:
        data (str, PathLike or None): the ``--data`` argument; when given it must exist.
        download (bool): download into ``cache_dir()`` when nothing is found. Default True.
        url (str): where to download from. Default ``IMDB_URL``.
        md5 (str or None): expected MD5 of the download (hex); None skips the check. Default ``IMDB_MD5``.

    Returns:
        Path: an existing archive file or folder, to pass to ``fastbow.data.reader.read_imdb``.

    Raises:
        DataError: ``data`` or ``$FASTBOW_DATA`` names a missing path, or nothing is found and
            ``download`` is False.
        DownloadError: nothing is found and the download fails (offline, HTTP error, bad checksum).
    """
    if data is not None and data != "":
        p = Path(data).expanduser()
        if not p.exists():
            raise DataError(f"--data {p} not found; {_HINT}")
        return p
    candidates = candidate_paths()
    for source, p in candidates:
        if source == "FASTBOW_DATA":
            if not p.exists():
                raise DataError(f"FASTBOW_DATA={p} not found; point FASTBOW_DATA at the aclImdb_v1.tar.gz archive or the aclImdb folder, or pass --data PATH")
            return p
        if p.is_file():
            return p
    looked = ", ".join(str(p) for _, p in candidates)
    if not download:
        raise DataError(f"IMDB dataset not found (looked in {looked}); {_HINT}, or allow downloading it from {url}")
    from fastbow.data.download import (
        download as fetch,  # local import: only this path needs urllib
    )

    dest = cache_dir() / ARCHIVE_NAME
    try:
        return fetch(url, dest, md5)
    except DownloadError as e:
        raise DownloadError(f"IMDB dataset not found (looked in {looked}) and {e}") from e


def _xdg_cache(var: str, name: str) -> Path:
    """``$var`` if set, else ``$XDG_CACHE_HOME/name``, else ``~/.cache/name``."""
    env = os.environ.get(var)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / name


def _cache_root() -> Path:
    return _xdg_cache("FASTBOW_CACHE_DIR", "fastbow")


def _torch_home() -> Path:
    return _xdg_cache("TORCH_HOME", "torch")
