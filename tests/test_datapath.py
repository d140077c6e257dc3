"""Tests for fastbow.data.datapath: cache_dir and the order in which resolve_data_path looks."""
from pathlib import Path

import pytest

from fastbow.data.datapath import (
    ARCHIVE_NAME,
    IMDB_MD5,
    IMDB_URL,
    cache_dir,
    candidate_paths,
    resolve_data_path,
)
from fastbow.errors import DataError


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A clean environment: HOME, the caches and TORCH_HOME under tmp_path; FASTBOW_DATA unset."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FASTBOW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("FASTBOW_DATA", raising=False)
    return tmp_path


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"stand-in archive")
    return path


def test_constants():
    assert IMDB_URL == "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert IMDB_MD5 == "7c2ac02c03563afcf9b574c7e56c153a"
    assert ARCHIVE_NAME == "aclImdb_v1.tar.gz"


def test_cache_dir_order(env, monkeypatch):
    assert cache_dir() == env / "cache" and (env / "cache").is_dir()  # created on demand
    monkeypatch.delenv("FASTBOW_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(env / "xdg"))
    assert cache_dir() == env / "xdg" / "fastbow" and (env / "xdg" / "fastbow").is_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # empty counts as unset
    assert cache_dir() == env / "home" / ".cache" / "fastbow"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == env / "home" / ".cache" / "fastbow"


def test_cache_dir_not_creatable(env, monkeypatch):
    touch(env / "a_file")
    monkeypatch.setenv("FASTBOW_CACHE_DIR", str(env / "a_file" / "cache"))
    with pytest.raises(DataError, match=r"cannot create the cache folder .*; set FASTBOW_CACHE_DIR to a writable folder"):
        cache_dir()


def test_candidate_paths(env, monkeypatch):
    assert candidate_paths() == [
        ("fastbow cache", env / "cache" / ARCHIVE_NAME),
        ("torchtext cache", env / "torch" / "text" / "datasets" / "IMDB" / ARCHIVE_NAME),
    ]
    assert not (env / "cache").exists()  # listing creates nothing
    monkeypatch.setenv("FASTBOW_DATA", str(env / "mine.tar.gz"))
    assert candidate_paths()[0] == ("FASTBOW_DATA", env / "mine.tar.gz")


def test_torch_home_defaults(env, monkeypatch):
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(env / "xdg"))
    assert candidate_paths()[-1][1] == env / "xdg" / "torch" / "text" / "datasets" / "IMDB" / ARCHIVE_NAME
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert candidate_paths()[-1][1] == env / "home" / ".cache" / "torch" / "text" / "datasets" / "IMDB" / ARCHIVE_NAME


def test_each_level_wins_over_the_later_ones(env, monkeypatch):
    arg = touch(env / "arg" / ARCHIVE_NAME)
    mine = touch(env / "env" / ARCHIVE_NAME)
    cached = touch(env / "cache" / ARCHIVE_NAME)
    torch = touch(env / "torch" / "text" / "datasets" / "IMDB" / ARCHIVE_NAME)
    monkeypatch.setenv("FASTBOW_DATA", str(mine))
    bad_url = "http://127.0.0.1:9/never-used"  # download must not be tried while something is found

    assert resolve_data_path(arg, url=bad_url) == arg
    assert resolve_data_path(str(arg), url=bad_url) == arg
    assert resolve_data_path(url=bad_url) == mine
    monkeypatch.setenv("FASTBOW_DATA", "")  # empty counts as unset
    assert resolve_data_path(url=bad_url) == cached
    monkeypatch.delenv("FASTBOW_DATA")
    assert resolve_data_path(url=bad_url) == cached
    cached.unlink()
    assert resolve_data_path(url=bad_url) == torch
    torch.unlink()
    with pytest.raises(DataError, match="IMDB dataset not found"):
        resolve_data_path(download=False)


def test_data_and_env_may_name_a_folder(env, monkeypatch):
    folder = env / "aclImdb"
    folder.mkdir()
    assert resolve_data_path(folder, download=False) == folder
    monkeypatch.setenv("FASTBOW_DATA", str(folder))
    assert resolve_data_path(download=False) == folder


def test_missing_data_argument_does_not_fall_back(env, monkeypatch):
    touch(env / "cache" / ARCHIVE_NAME)
    monkeypatch.setenv("FASTBOW_DATA", str(touch(env / "env" / ARCHIVE_NAME)))
    with pytest.raises(DataError, match=r"^--data .*typo\.tar\.gz not found; pass --data PATH .* or set FASTBOW_DATA$"):
        resolve_data_path(env / "typo.tar.gz")


def test_missing_env_path_does_not_fall_back(env, monkeypatch):
    touch(env / "cache" / ARCHIVE_NAME)
    monkeypatch.setenv("FASTBOW_DATA", str(env / "typo.tar.gz"))
    with pytest.raises(DataError, match=r"^FASTBOW_DATA=.*typo\.tar\.gz not found; point FASTBOW_DATA at the aclImdb_v1.tar.gz archive or the aclImdb folder, or pass --data PATH$"):
        resolve_data_path()


def test_nothing_found_without_download(env):
    with pytest.raises(DataError) as info:
        resolve_data_path(download=False)
    msg = str(info.value)
    assert "\n" not in msg
    assert "--data PATH" in msg and "FASTBOW_DATA" in msg and IMDB_URL in msg
    assert str(env / "cache" / ARCHIVE_NAME) in msg and str(env / "torch") in msg  # says where it looked
    assert not (env / "cache").exists() or not any((env / "cache").iterdir())
