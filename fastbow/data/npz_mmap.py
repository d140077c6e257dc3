"""Open the arrays of an uncompressed ``.npz`` memory-mapped: one copy in the page cache for every process.

``np.load(path, mmap_mode=...)`` maps ``.npy`` files only; for an ``.npz`` it ignores
``mmap_mode`` and reads every array into private memory, so N training processes
(``torchrun --nproc-per-node N``) would hold N copies of the CSR. ``np.savez`` (which
:func:`fastbow.data.prepare.save_prepared` uses) stores each array as a ``.npy`` member
without compression (``ZIP_STORED``), so the array's bytes lie contiguous in the file at an
offset that the zip's local header and the ``.npy`` header give: :func:`load_npz_mmap` maps
them there with ``np.memmap``. Pages are read on first touch and shared between processes
through the page cache; mode ``"c"`` (copy-on-write) keeps the arrays writable for
``torch.from_numpy`` without ever writing the file.

Members stored compressed (``np.savez_compressed``), object arrays, Fortran-ordered or empty arrays,
and ``.npy`` format 3.0 headers are read normally instead (a copy), so any ``.npz`` opens.
"""
from __future__ import annotations

import struct
import zipfile

import numpy as np

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # zip local file header, 30 bytes (APPNOTE 4.3.7)
_LOCAL_MAGIC = b"PK\x03\x04"
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _data_offset(f, info: zipfile.ZipInfo) -> int:
    """Byte offset of the member's data in the zip file (after its local header)."""
    f.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(f.read(_LOCAL_HEADER.size))
    if fields[0] != _LOCAL_MAGIC:
        raise ValueError(f"bad local header for member {info.filename}")
    name_len, extra_len = fields[9], fields[10]
    return info.header_offset + _LOCAL_HEADER.size + name_len + extra_len


def load_npz_mmap(path, mode: str = "c") -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` at ``path``, memory-mapped where the layout allows.

    Args:
        path (str | Path): an ``.npz`` written by ``np.savez``.
        mode (str): ``np.memmap`` mode, ``"c"`` (copy-on-write, default) or ``"r"`` (read-only).

    Returns:
        dict: member name without ``.npy`` → array (``np.memmap`` for stored, C-ordered,
        non-object members; an ordinary array otherwise), shapes and dtypes as saved.

    Raises:
        zipfile.BadZipFile, ValueError, OSError: the file is not a readable ``.npz``.

    Example:
        >>> import io, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "a.npz"); np.savez(p, x=np.arange(3))
        >>> a = load_npz_mmap(p)["x"]; type(a).__name__, a.tolist()
        ('memmap', [0, 1, 2])
    """
    out = {}
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        for info in z.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if info.compress_type != zipfile.ZIP_STORED:
                with z.open(info) as member:
                    out[name] = np.lib.format.read_array(member, allow_pickle=False)
                continue
            f.seek(_data_offset(f, info))
            version = np.lib.format.read_magic(f)
            read_header = _HEADER_READERS.get(version)
            shape, fortran, dtype = read_header(f) if read_header else ((), True, None)
            if read_header is None or fortran or dtype.hasobject or 0 in shape:  # read normally instead
                with z.open(info) as member:
                    out[name] = np.lib.format.read_array(member, allow_pickle=False)
                continue
            out[name] = np.memmap(path, dtype=dtype, mode=mode, offset=f.tell(), shape=shape)
    return out
