"""Tests for fastbow.data.download against a local HTTP server on 127.0.0.1 (never the live web)."""
import functools
import hashlib
import http.server
import io
import socket
import tarfile
import threading

import pytest

import fastbow.data.download as download_module
from fastbow.data.datapath import ARCHIVE_NAME, cache_dir, resolve_data_path
from fastbow.data.download import download
from fastbow.data.reader import read_imdb
from fastbow.errors import DownloadError, FastbowError


def small_archive() -> bytes:
    """A valid aclImdb archive with two reviews per split."""
    files = {
        "train/neg/0_1.txt": b"bad", "train/pos/0_9.txt": b"good",
        "test/neg/0_2.txt": b"poor", "test/pos/0_8.txt": b"fine",
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(f"aclImdb/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


ARCHIVE = small_archive()
MD5 = hashlib.md5(ARCHIVE).hexdigest()


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; ``/short`` promises 1000 bytes and sends 10."""

    def do_GET(self):
        if self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a server on 127.0.0.1 (port 0) serving ``imdb.tar.gz`` from its own folder."""
    root = tmp_path_factory.mktemp("www")
    (root / "imdb.tar.gz").write_bytes(ARCHIVE)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def refused_url():
    """A URL on a local port that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/imdb.tar.gz"


def test_checksum_pass(server, tmp_path):
    dest = tmp_path / "out" / ARCHIVE_NAME  # the folder is created
    assert download(f"{server}/imdb.tar.gz", dest, MD5, progress=False) == dest
    assert dest.read_bytes() == ARCHIVE
    assert sorted(p.name for p in dest.parent.iterdir()) == [ARCHIVE_NAME]  # no temp file left


def test_checksum_any_case_none_and_progress_bar(server, tmp_path, capsys):
    dest = tmp_path / ARCHIVE_NAME
    download(f"{server}/imdb.tar.gz", dest, MD5.upper(), progress=True)
    assert dest.read_bytes() == ARCHIVE
    dest.write_bytes(b"old")  # an existing file is replaced
    download(f"{server}/imdb.tar.gz", str(dest), None, progress=False)
    assert dest.read_bytes() == ARCHIVE
    assert capsys.readouterr().out == ""  # the bar goes to stderr only


def test_checksum_fail_leaves_nothing(server, tmp_path):
    dest = tmp_path / "out" / ARCHIVE_NAME
    wrong = "0" * 32
    with pytest.raises(DownloadError, match=rf"has md5 {MD5}, expected {wrong} .*--data PATH or set FASTBOW_DATA"):
        download(f"{server}/imdb.tar.gz", dest, wrong, progress=False)
    assert list(dest.parent.iterdir()) == []


def test_failure_keeps_an_existing_file(server, tmp_path):
    dest = tmp_path / ARCHIVE_NAME
    dest.write_bytes(b"previous")
    with pytest.raises(DownloadError):
        download(f"{server}/imdb.tar.gz", dest, "f" * 32, progress=False)
    assert dest.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [ARCHIVE_NAME]


def test_http_404(server, tmp_path):
    with pytest.raises(DownloadError, match=r"downloading .*/missing\.tar\.gz failed \(HTTP 404 .*\).*FASTBOW_DATA"):
        download(f"{server}/missing.tar.gz", tmp_path / ARCHIVE_NAME, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused(refused_url, tmp_path):
    with pytest.raises(DownloadError, match=r"failed \(.*refused.*\); check the network") as info:
        download(refused_url, tmp_path / ARCHIVE_NAME, MD5, progress=False, timeout=5)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_truncated_response(server, tmp_path):
    with pytest.raises(DownloadError, match=r"failed \(.*10 of 1000 bytes.*\)"):
        download(f"{server}/short", tmp_path / ARCHIVE_NAME, progress=False, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_nothing(server, tmp_path, monkeypatch):
    class InterruptingBar:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            raise KeyboardInterrupt  # Ctrl-C in the middle of the stream

    monkeypatch.setattr(download_module, "tqdm", InterruptingBar)
    with pytest.raises(KeyboardInterrupt):
        download(f"{server}/imdb.tar.gz", tmp_path / ARCHIVE_NAME, MD5, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, match",
    [({"md5": "xyz"}, "md5 should be 32 hex digits"), ({"timeout": 0}, "timeout should be a positive"),
     ({"timeout": True}, "timeout should be a positive"), ({"url": ""}, "url should be a non-empty str")],
)
def test_bad_arguments(tmp_path, kwargs, match):
    args = {"url": "http://127.0.0.1:9/x", "dest": tmp_path / "x", **kwargs}
    with pytest.raises(FastbowError, match=match):
        download(**args)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    monkeypatch.delenv("FASTBOW_DATA", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # empty: no torchtext copy


def test_resolve_downloads_into_cache(server, refused_url, clean_env):
    path = resolve_data_path(url=f"{server}/imdb.tar.gz", md5=MD5)
    assert path == cache_dir() / ARCHIVE_NAME
    assert path.read_bytes() == ARCHIVE
    assert read_imdb(path)["test"].texts == ["poor", "fine"]
    assert resolve_data_path(url=refused_url, md5=MD5) == path  # found in the cache: no network


def test_resolve_offline_is_one_clear_error(refused_url, clean_env):
    with pytest.raises(DownloadError) as info:
        resolve_data_path(url=refused_url)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("IMDB dataset not found (looked in ")
    assert refused_url in msg and "--data PATH" in msg and "FASTBOW_DATA" in msg
    assert list(cache_dir().iterdir()) == []


def test_resolve_bad_checksum(server, clean_env):
    with pytest.raises(DownloadError, match=rf"has md5 {MD5}, expected {'a' * 32}"):
        resolve_data_path(url=f"{server}/imdb.tar.gz", md5="a" * 32)
    assert list(cache_dir().iterdir()) == []
