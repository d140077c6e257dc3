"""Shared test fixtures.

The real IMDB archive is looked up in ONE place: ``$FASTBOW_TEST_DATA`` if set,
else ``../shared/data/aclImdb_v1.tar.gz`` beside the repository. Tests that
need it use the ``imdb_archive`` fixture and are skipped, with the reason,
when it is absent. Every other test builds a small synthetic corpus itself.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IMDB_ARCHIVE = Path(
    os.environ.get("FASTBOW_TEST_DATA", REPO.parent / "shared" / "data" / "aclImdb_v1.tar.gz")
)


@pytest.fixture(scope="session")
def imdb_archive() -> Path:
    """Path of the real ``aclImdb_v1.tar.gz``; skips the test when it is absent."""
    if not IMDB_ARCHIVE.is_file():
        pytest.skip(
            f"real IMDB archive not found at {IMDB_ARCHIVE}; "
            "set FASTBOW_TEST_DATA=/path/to/aclImdb_v1.tar.gz to run this test"
        )
    return IMDB_ARCHIVE


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Point fastbow's cache at a fresh folder so tests never touch ~/.cache/fastbow."""
    monkeypatch.setenv("FASTBOW_CACHE_DIR", str(tmp_path_factory.mktemp("fastbow-cache")))
