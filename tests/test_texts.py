"""Tests for fastbow.data.texts: byte order marks, undecodable bytes, NULs, blank texts."""
import numpy as np

from fastbow.data.texts import (
    blank_mask,
    decode,
    describe_problems,
    split_lines,
    strip_bom,
)


def test_bom_is_dropped_on_bytes_and_on_str():
    assert decode(b"\xef\xbb\xbfgood") == ("good", False)
    assert strip_bom("\ufeffgood") == "good" and strip_bom("go\ufeffod") == "go\ufeffod"


def test_split_lines_counts_bad_lines_and_nuls():
    lines = split_lines(b"\xef\xbb\xbfa\r\nb\xff\n\nc\x00\n")
    assert lines.texts == ["a", "b\ufffd", "", "c\x00"] and lines.n_bad == 1 and lines.n_nul == 1
    assert describe_problems(lines, "f.txt").startswith("f.txt does not look like text (1 NUL bytes")
    assert describe_problems(split_lines(b"ok\n"), "f.txt") is None


def test_blank_mask():
    assert blank_mask(["x", "", " \t\n", "\ufeff", "\ufeff x"]).tolist() == [False, True, True, True, False]
    assert blank_mask([]).dtype == np.bool_


def test_a_bom_in_front_of_any_line_and_utf16_input():
    # `cat a.txt b.txt` puts b.txt's byte order mark in front of a later line
    assert split_lines(b"\xef\xbb\xbfa\n\xef\xbb\xbfb\n").texts == ["a", "b"]
    wide = "caf\u00e9\r\nbien\n".encode("utf-16")  # BOM FF FE, then NULs: a Windows "Unicode" file
    lines = split_lines(wide)
    assert lines.texts == ["café", "bien"] and lines.n_bad == lines.n_nul == 0
