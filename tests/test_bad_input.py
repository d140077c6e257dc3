"""One test per line of the bad-input list (issue 5, item 5), through the command line where it applies.

Each asserts the one-line message (``error: ...`` and exit status 2), or the documented handling:
non-UTF-8 bytes and an empty review are read (counted / kept), a too-large vocabulary is clamped with a
warning, a damaged cache is rebuilt, and concurrent cache builds never expose a half-written file.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from corpus import make_archive, make_corpus
from fastbow.kernels import validate_csr
from tabledata import review_rows, write_csv

from fastbow.data.csr import CSR
from fastbow.data.prepare import load_prepared, prepare
from fastbow.errors import DataError
from fastbow.train import main
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler

REPO = Path(__file__).resolve().parent.parent
ARGS = ["--vocab-size", "20", "--hidden", "8", "--batch-size", "16", "--epochs", "1", "--lr", "0.03", "--no-progress"]


def train(data, out, *extra):
    return main(["--data", str(data), "--out", str(out), *ARGS, *extra])


def one_line_error(capsys, pattern):
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert re.search(pattern, err), err
    return err


def test_missing_path(tmp_path, capsys):
    assert train(tmp_path / "nowhere.tar.gz", tmp_path / "o") == 2
    one_line_error(capsys, r"--data .*nowhere\.tar\.gz not found; pass --data PATH .* or set FASTBOW_DATA")


def test_folder_with_no_class_folders(tmp_path, capsys):
    (tmp_path / "d" / "train").mkdir(parents=True)
    (tmp_path / "d" / "test").mkdir()
    assert train(tmp_path / "d", tmp_path / "o") == 2
    one_line_error(capsys, r"split 'train' of .*d has 0 class folder\(s\) \(\); need at least 2")
    (tmp_path / "e").mkdir()                                     # not even split folders
    (tmp_path / "e" / "notes.txt").write_text("hello")
    assert train(tmp_path / "e", tmp_path / "o") == 2
    one_line_error(capsys, r"has no 'train' split folder \(expected aclImdb/train/<class>/<id>_<rating>\.txt\)")


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_truncated_or_corrupt_archive(tmp_path, capsys, damage):
    raw = bytearray(make_archive(make_corpus(tmp_path / "c", 30), tmp_path / "a.tar.gz").read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        for i in range(40, len(raw) - 40):
            raw[i] ^= 0x5A
    (tmp_path / "a.tar.gz").write_bytes(bytes(raw))
    assert train(tmp_path / "a.tar.gz", tmp_path / "o") == 2
    one_line_error(capsys, r"a\.tar\.gz is truncated or corrupt \(.+\); download it again$")


def test_bytes_that_are_not_utf8_are_replaced_and_counted(tmp_path):
    corpus = make_corpus(tmp_path / "c", 20)
    (corpus / "train" / "pos" / "0_7.txt").write_bytes(b"great \xff\xfe film")
    (corpus / "train" / "neg" / "3_2.txt").write_bytes(b"bad \xc3 film")
    with pytest.warns(UnicodeWarning, match=r"2 of 40 documents in split 'train' of .* held bytes that are not UTF-8; "
                                            r"they were replaced with U\+FFFD"):
        assert train(corpus, tmp_path / "o") == 0
    table = tmp_path / "t.csv"
    table.write_bytes(b"text,label\ngood \xff,pos\nbad,neg\nfine,pos\nawful,neg\n")
    with pytest.warns(UnicodeWarning, match=r"1 of 4 rows of .*t\.csv held bytes that are not UTF-8"):
        assert train(table, tmp_path / "p", "--test-file", str(table), "--vocab-size", "4") == 0


def test_empty_review_is_kept_as_an_all_zero_row(tmp_path):
    corpus = make_corpus(tmp_path / "c", 20)
    (corpus / "train" / "pos" / "5_7.txt").write_bytes(b"")
    (corpus / "test" / "neg" / "0_2.txt").write_bytes(b"")
    assert train(corpus, tmp_path / "o") == 0
    p = prepare(corpus, "words", 20)
    assert p.train.n_docs == p.test.n_docs == 40
    assert p.train.row_lengths()[20 + 5] == 0 and p.test.row_lengths()[0] == 0     # label order: neg 0..19, pos 0..19


def test_class_with_no_documents(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", 5)
    for f in (corpus / "test" / "pos").iterdir():
        f.unlink()
    assert train(corpus, tmp_path / "o") == 2
    one_line_error(capsys, r"split 'test' of .* has no documents in class 'pos' \(expected test/pos/<id>_<rating>\.txt\)")


def test_vocabulary_size_not_positive_or_too_large(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", 20)
    assert main(["--data", str(corpus), "--out", str(tmp_path / "o"), "--vocab-size", "0", "--no-progress"]) == 2
    one_line_error(capsys, r"^error: --vocab-size should be a positive integer value, but got --vocab-size 0$")
    with pytest.warns(UserWarning, match=r"vocab_size=100000 is larger than the 25 distinct training tokens; using 25"):
        assert main(["--data", str(corpus), "--out", str(tmp_path / "o"), *ARGS, "--vocab-size", "100000"]) == 0
    assert json.loads((tmp_path / "o" / "metrics.json").read_text())["config"]["n_features"] == 26


def test_batch_size_not_positive(tmp_path, capsys):
    assert train(make_corpus(tmp_path / "c", 5), tmp_path / "o", "--batch-size", "0") == 2
    one_line_error(capsys, r"^error: --batch-size should be a positive integer value, but got --batch-size 0$")


@pytest.mark.parametrize("lr", ["0", "-0.1"])
def test_learning_rate_not_positive(tmp_path, capsys, lr):
    assert train(make_corpus(tmp_path / "c", 5), tmp_path / "o", "--lr", lr) == 2
    one_line_error(capsys, rf"^error: --lr should be a positive number, but got --lr {float(lr)}$")


def test_csr_with_inconsistent_indptr_or_ids_out_of_range():
    ip, ix, y = np.array([0, 2, 5], dtype=np.int64), np.array([1, 3, 0, 2, 4], dtype=np.int32), np.zeros(2, np.int64)
    CSR(ip, ix, y, 5).validate()
    with pytest.raises(DataError, match=r"^CSR is inconsistent: indptr\[0\]=0 and indptr\[-1\]=5 but len\(indices\)=4; "
                                        r"indptr must run from 0 to len\(indices\)$"):
        CSR(ip, ix[:4], y, 5).validate()
    with pytest.raises(DataError, match=r"^CSR ids must lie in \[0, 3\], but got ids in \[0, 4\]; rebuild the CSR"):
        CSR(ip, ix, y, 4).validate()
    with pytest.raises(DataError, match=r"^CSR ids must lie in \[0, 4\], but got ids in \[-1, 4\]"):
        CSR(ip, np.array([1, 3, -1, 2, 4], dtype=np.int32), y, 5).validate()
    t_ip, t_ix = torch.from_numpy(ip), torch.from_numpy(ix)
    with pytest.raises(DataError, match=r"^CSR is inconsistent: indptr\[-1\]=5 but len\(indices\)=4; rebuild the CSR"):
        validate_csr(t_ip, t_ix[:4], 5)
    with pytest.raises(DataError, match=r"^indices must lie in \[0, 3\] \(n_features=4\), but got max id 4 at position 4"):
        validate_csr(t_ip, t_ix, 4)
    bad = CSR(ip, ix, y, 4)                                       # the loader refuses it before any batch
    with pytest.raises(DataError, match=r"CSR ids must lie in \[0, 3\]"):
        DeviceBatchLoader(bad, RowBatchSampler(2, 2), "cpu", "torch")


@pytest.mark.parametrize("damage", ["truncate", "edit"])
def test_damaged_cache_is_detected_by_checksum_and_rebuilt(tmp_path, capsys, damage):
    corpus = make_corpus(tmp_path / "c", 20)
    assert train(corpus, tmp_path / "a") == 0
    path = Path(re.search(r"cached the CSR at (\S+\.npz)", capsys.readouterr().out).group(1))
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    else:
        i = raw.index(b"train_indices") + 300
        path.write_bytes(raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:])
    assert train(corpus, tmp_path / "b") == 0
    out = capsys.readouterr().out
    assert re.search(r"cache file .*\.npz (failed its checksum \(truncated or edited\)|is unreadable .*); rebuilding it", out)
    assert "data ready in" in out and "(built)" in out
    strip = lambda p: [{k: v for k, v in e.items() if not k.endswith("_s")}
                       for e in json.loads((p / "metrics.json").read_text())["epochs"]]
    assert strip(tmp_path / "a") == strip(tmp_path / "b")
    load_prepared(path)                                         # repaired


BUILD = """
import json, sys, time
from fastbow.data.dataset import DataOptions
from fastbow.data.prepare import prepare
start = float(sys.argv[3])
while time.time() < start:
    pass
p = prepare(sys.argv[1], "words", 50, cache_dir=sys.argv[2], options=DataOptions(test_fraction=0.2))
print(json.dumps({"hit": p.cache_hit, "nnz": int(p.train.nnz), "indices": p.train.indices[:50].tolist()}))
"""


def test_two_processes_building_the_same_cache(tmp_path):
    data = write_csv(tmp_path / "big.csv", review_rows(3000))         # 6,000 rows: a build takes a while
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.time() + 1.5                                           # both begin at the same moment
    procs = [subprocess.Popen([sys.executable, "-c", BUILD, str(data), str(cache), str(start)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    seen = 0
    while any(p.poll() is None for p in procs):                         # a reader racing the writers
        for f in cache.glob("*.npz") if cache.exists() else ():
            load_prepared(f)                                            # never half-written: no DataError
            seen += 1
        time.sleep(0.005)
    assert seen > 0, "the reader never saw a cache file while the writers ran: the race was not tested"
    results = []
    for p in procs:
        out, err = p.communicate()
        assert p.returncode == 0, err
        results.append(json.loads(out))
    assert results[0]["nnz"] == results[1]["nnz"] and results[0]["indices"] == results[1]["indices"]
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 1 and files[0].endswith(".npz")                  # one cache, no temporary file left
    hit = prepare(data, "words", 50, cache_dir=cache, options=__import__("fastbow.data.dataset").data.dataset.DataOptions(test_fraction=0.2))
    assert hit.cache_hit and hit.train.nnz == results[0]["nnz"]


def test_output_directory_that_cannot_be_written(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert train(make_corpus(tmp_path / "c", 5), tmp_path / "file" / "out") == 2       # fails even as root
    one_line_error(capsys, r"output directory .*file/out is not writable \(.+\); pass another --out$")
