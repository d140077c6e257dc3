import json
import os
import stat

import pytest

from fastbow.atomic import atomic_write, finite_json, write_json


def test_files_get_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "m.json", {"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644


def test_json_is_strict_non_finite_becomes_null(tmp_path):
    write_json(tmp_path / "m.json", {"ppl": float("inf"), "x": [1.5, float("nan")], "n": 3})
    text = (tmp_path / "m.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"ppl": None, "x": [1.5, None], "n": 3}
    assert finite_json((1.0, float("-inf"))) == [1.0, None]


def test_failure_leaves_the_target_untouched_and_no_temp_file(tmp_path):
    (tmp_path / "f.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "f.txt", "w") as f:
            f.write("half")
            raise RuntimeError("boom")
    assert (tmp_path / "f.txt").read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_errors_name_the_target(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot write .*nodir/x.json"):
        write_json(tmp_path / "nodir" / "x.json", {})
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_json(tmp_path, {})
