"""Every ```python block of README.md runs: in order, in one namespace (as notebook cells), in a scratch folder.

The block that reads the IMDB archive gets the path from tests/conftest.py (fixture ``imdb_archive``) and is skipped without it;
it is also the acceptance test of an in-memory BowClassifier on IMDB (test accuracy >= 0.885).
"""
import contextlib
import io
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

ARCHIVE_IN_README = "../shared/data/aclImdb_v1.tar.gz"
BLOCKS = re.findall(r"^```python\n(.*?)^```", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)


def _run(code: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 — the README's own examples
    return out.getvalue()


def _expected_comments(code: str) -> list[str]:
    """The ``# value`` comment after each ``print(...)`` line: what the README says it prints."""
    return [m.group(1).strip() for m in re.finditer(r"^print\(.*\)\s+#\s*(.*)$", code, re.M)]


def test_readme_has_the_python_examples():
    assert len(BLOCKS) == 3
    assert sum(1 for b in BLOCKS if ARCHIVE_IN_README in b) == 1
    imdb = next(b for b in BLOCKS if ARCHIVE_IN_README in b)
    assert len([line for line in imdb.splitlines() if line.strip()]) <= 6  # train/predict on IMDB in <= 6 lines


def test_examples_without_the_archive_run_and_print_what_they_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    for code in (b for b in BLOCKS if ARCHIVE_IN_README not in b):
        printed = _run(code, namespace).splitlines()
        assert printed == _expected_comments(code)


def test_imdb_example_scores_at_least_0885_and_saves_a_run(imdb_archive, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = next(b for b in BLOCKS if ARCHIVE_IN_README in b).replace(ARCHIVE_IN_README, str(imdb_archive))
    namespace = {"__name__": "__readme__"}
    printed = _run(code, namespace).splitlines()
    score = namespace["clf"].score(namespace["test"].texts, namespace["test"].labels)
    assert score >= 0.885
    epochs = [line.split(" |")[0] for line in printed if line.startswith("epoch ")]
    assert epochs == ["epoch 1/2", "epoch 2/2"]  # fit's own output: one line per epoch, before the prints
    assert printed[-2:] == [str(score), _expected_comments(code)[1]] == _expected_comments(code)
    assert (tmp_path / "runs" / "py" / "checkpoint.pt").is_file()
