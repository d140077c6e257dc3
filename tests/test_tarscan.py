"""fastbow.data.tarscan.scan_tar gives exactly tarfile's members for plain archives, and declines (None)
for everything it does not handle, so that tarfile reads those."""
import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastbow.data.gunzip import inflate
from fastbow.data.tarscan import scan_tar

NAME = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="/\\"), min_size=1,
               max_size=12)


def _tar(entries, fmt=tarfile.GNU_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _reference(raw: bytes):
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
        return [(m.name, m.isdir(), m.isfile(), tf.extractfile(m).read() if m.isfile() else b"") for m in tf]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(NAME, min_size=1, max_size=3).map("/".join),
                          st.one_of(st.none(), st.binary(max_size=1500))), max_size=12),
       st.sampled_from([tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT]))
def test_same_members_as_tarfile(entries, fmt):
    try:
        raw = _tar(entries, fmt)
    except ValueError:  # ustar cannot store a name this long: not an archive to compare on
        return
    got = scan_tar(raw)
    if got is not None:  # declining is always allowed; answering must match tarfile exactly
        assert [tuple(m) for m in got] == _reference(raw)


def test_plain_archive_is_taken_with_prefix_and_v7_directories():
    long_dir = "d" * 90 + "/" + "e" * 60  # > 100 characters: ustar splits it into prefix + name
    raw = _tar([(long_dir, None), (long_dir + "/f.txt", b"hello"), ("empty.txt", b"")], tarfile.USTAR_FORMAT)
    v7 = bytearray(_tar([("old/", b"")]))  # a regular file named "old/": tarfile calls it a directory
    v7[156:157] = b"\0"
    v7[148:156] = b"%06o\0 " % (sum(v7[:148]) + sum(v7[156:512]) + 256)
    for archive in (raw, bytes(v7)):
        got = scan_tar(archive)
        assert got is not None and [tuple(m) for m in got] == _reference(archive)
    assert scan_tar(raw)[1].name == long_dir + "/f.txt" and scan_tar(bytes(v7))[0][:2] == ("old", True)


@pytest.mark.parametrize("case", ["symlink", "long name", "pax", "truncated", "bad checksum", "no end block"])
def test_declines_what_it_does_not_handle(case):
    raw = _tar([("a.txt", b"x" * 700)])
    if case == "symlink":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tf:
            info = tarfile.TarInfo("link.txt")
            info.type, info.linkname = tarfile.SYMTYPE, "a.txt"
            tf.addfile(info)
        raw = buf.getvalue()
    elif case == "long name":
        raw = _tar([("n" * 150, b"x")], tarfile.GNU_FORMAT)
    elif case == "pax":
        raw = _tar([("é" * 5, b"x")], tarfile.PAX_FORMAT)
    elif case == "truncated":
        raw = raw[:700]
    elif case == "bad checksum":
        raw = raw[:10] + b"Z" + raw[11:]
    elif case == "no end block":
        raw = raw[:1536]
    assert scan_tar(raw) is None


def test_real_archive_is_taken_and_equals_tarfile(imdb_archive):
    raw = inflate(imdb_archive)
    got = scan_tar(raw)
    assert got is not None and len(got) == 100_008  # as many as tarfile lists
    assert [tuple(m) for m in got] == _reference(raw)
