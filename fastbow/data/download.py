"""Download a file atomically, checking its MD5 while it streams.

The bytes go to a temporary file beside ``dest`` (``.<name>.*.part``) that is moved onto ``dest`` with
``os.replace`` only after the checksum passes, so ``dest`` either holds the complete, verified file or is
untouched; a failed or interrupted download (including Ctrl-C) removes the temporary file.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from fastbow import __version__
from fastbow.errors import DownloadError, FastbowError

__all__ = ["download"]

_CHUNK = 1 << 20  # bytes per read; 1 MiB keeps Python overhead negligible next to the network
_HINT = "download it by hand and pass --data PATH or set FASTBOW_DATA"


def download(url: str, dest, md5: str | None = None, *, progress: bool = True, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dest`` with ``urllib``, verifying its MD5, and return ``dest``.

    Args:
        url (str): http(s):// or file:// address.
        dest (str or PathLike): file to write; its folder is created; an existing file is replaced.
        md5 (str or None): expected MD5 as 32 hex digits (any case); None skips the check.
        progress (bool): show a tqdm bar on stderr, in bytes with SI/binary prefixes. Default True.
        timeout (float): seconds to wait for the connection and for each read. Default 30.0.

    Returns:
        Path: ``dest``, holding the complete file.

    Raises:
        DownloadError: a network or HTTP error, a truncated response, or an MD5 mismatch (naming the
            expected and the received MD5); nothing is left at ``dest`` or beside it.
        FastbowError: ``url``, ``md5`` or ``timeout`` is malformed.
    """
    if not isinstance(url, str) or not url:
        raise FastbowError(f"url should be a non-empty str, but got url={url!r}")
    if md5 is not None:
        if not isinstance(md5, str) or len(md5) != 32 or any(c not in "0123456789abcdefABCDEF" for c in md5):
            raise FastbowError(f"md5 should be 32 hex digits or None, but got md5={md5!r}")
        md5 = md5.lower()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise FastbowError(f"timeout should be a positive number of seconds, but got timeout={timeout!r}")
    dest = Path(dest).expanduser()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"cannot create {dest.parent} for the download ({e.strerror or e}); {_HINT}") from e

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            got_md5 = _stream(url, out, progress=progress, timeout=timeout, desc=dest.name)
        if md5 is not None and got_md5 != md5:
            raise DownloadError(
                f"the download from {url} has md5 {got_md5}, expected {md5} (corrupt, or changed upstream); "
                f"try again, or {_HINT}"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only
        os.replace(tmp, dest)  # atomic on one file system: dest is whole or absent
    except BaseException:  # includes KeyboardInterrupt: never leave a partial file behind
        tmp.unlink(missing_ok=True)
        raise
    return dest


def _stream(url: str, out, *, progress: bool, timeout: float, desc: str) -> str:
    """Copy ``url`` into the open binary file ``out``; return the hex MD5 of the bytes written."""
    digest = hashlib.md5(usedforsecurity=False)
    request = urllib.request.Request(url, headers={"User-Agent": f"fastbow/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            got = 0
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
                      disable=not progress, leave=False) as bar:
                while chunk := resp.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        raise DownloadError(f"downloading {url} failed ({_reason(e)}); check the network and try again, or {_HINT}") from e
    if total is not None and got != total:
        raise DownloadError(
            f"downloading {url} failed (the server sent {got} of {total} bytes); "
            f"check the network and try again, or {_HINT}"
        )
    out.flush()
    os.fsync(out.fileno())
    return digest.hexdigest()


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return str(e) or type(e).__name__
