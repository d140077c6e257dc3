"""fastbow.data.gunzip: the in-memory inflate gives gzip's bytes, for single- and multi-member files, with
and without python-isal, and fails with the errors the archive reader maps to one-line messages."""
import gzip
import zlib

import pytest

import fastbow.data.gunzip as gunzip


@pytest.fixture(params=["isal", "zlib"])
def which(request, monkeypatch):
    if request.param == "zlib":
        monkeypatch.setattr(gunzip, "_igzip", None)
    elif gunzip._igzip is None:
        pytest.skip("python-isal is not installed (pip install isal); the zlib fallback is tested")
    return request.param


def test_inflate_equals_gzip_for_multi_member_files(tmp_path, which):
    payload = bytes(range(256)) * 4000
    p = tmp_path / "a.gz"
    p.write_bytes(gzip.compress(payload[:1000]) + gzip.compress(payload[1000:]))  # two members
    assert gunzip.inflate(p) == payload
    assert gunzip.inflater() == which


def test_not_gzip_or_too_large_gives_none(tmp_path, which):
    plain = tmp_path / "a.tar"
    plain.write_bytes(b"not gzip at all" * 100)
    assert gunzip.inflate(plain) is None
    big = tmp_path / "b.gz"
    big.write_bytes(gzip.compress(b"x" * 10_000))
    assert gunzip.inflate(big, limit=10) is None and gunzip.inflate(big) == b"x" * 10_000


def test_truncated_and_corrupt_raise_what_the_reader_catches(tmp_path, which):
    data = gzip.compress(bytes(range(256)) * 4000, compresslevel=1)
    trunc = tmp_path / "t.gz"
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(EOFError):
        gunzip.inflate(trunc)
    bad = tmp_path / "c.gz"
    bad.write_bytes(data[:20] + bytes(200) + data[220:])
    with pytest.raises((zlib.error, EOFError)):
        gunzip.inflate(bad)
