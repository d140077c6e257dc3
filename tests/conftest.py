"""Shared test fixtures.

The real IMDB archive is looked up in ONE place: ``$FASTBOW_TEST_DATA`` if set,
else ``../shared/data/aclImdb_v1.tar.gz`` beside the repository. Tests that
need it use the ``imdb_archive`` fixture and are skipped, with the reason,
when it is absent. Every other test builds a small synthetic corpus itself.
"""
import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _kernels_from_this_tree() -> None:
    """Make ``fastbow.kernels`` the ``kernels/`` folder beside these tests.

    The editable install maps ``fastbow.kernels`` to the checkout's ``kernels/`` (setup.py's
    ``package_dir``). When the tests run from a copy of the tree, such as the ``mutants/``
    folder of a mutation run (tests/MUTATION.md), that mapping would still load the original
    kernels; this loads the copy's instead. In the checkout itself it does nothing.
    """
    here = REPO / "kernels" / "__init__.py"
    if "fastbow.kernels" in sys.modules or not here.is_file():
        return
    spec = importlib.util.find_spec("fastbow.kernels")
    if spec is not None and spec.origin and Path(spec.origin).resolve() == here.resolve():
        return
    spec = importlib.util.spec_from_file_location("fastbow.kernels", here, submodule_search_locations=[str(here.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["fastbow.kernels"] = module
    spec.loader.exec_module(module)
    sys.modules["fastbow"].kernels = module


_kernels_from_this_tree()
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
