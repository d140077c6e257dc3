"""Tests for memory-mapped .npz loading (the CSR cache shared by the processes of a torchrun job)."""
import doctest
import zipfile

import numpy as np
import pytest
from corpus import make_corpus

import fastbow.data.npz_mmap as npz_mmap
from fastbow.data.npz_mmap import load_npz_mmap
from fastbow.data.prepare import prepare


def test_stored_arrays_are_mapped_with_their_values(tmp_path):
    arrays = {"indptr": np.array([0, 2, 2, 5], dtype=np.int64), "indices": np.array([3, 1, 4, 1, 5], dtype=np.int32),
              "meta": np.frombuffer(b'{"k": 1}', dtype=np.uint8), "scalar": np.float64(2.5),
              "empty": np.zeros(0, dtype=np.int32), "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3))}
    np.savez(tmp_path / "a.npz", **arrays)
    got = load_npz_mmap(tmp_path / "a.npz")
    assert set(got) == set(arrays)
    for k, v in arrays.items():
        assert got[k].dtype == np.asarray(v).dtype and np.array_equal(got[k], v), k
    assert all(isinstance(got[k], np.memmap) for k in ("indptr", "indices", "meta", "scalar"))
    assert not isinstance(got["fortran"], np.memmap) and not isinstance(got["empty"], np.memmap)  # read normally
    got["indices"][0] = 99                                  # copy-on-write: the file is never changed
    assert load_npz_mmap(tmp_path / "a.npz")["indices"][0] == 3


def test_compressed_members_are_read_normally(tmp_path):
    np.savez_compressed(tmp_path / "c.npz", x=np.arange(1000))
    x = load_npz_mmap(tmp_path / "c.npz")["x"]
    assert not isinstance(x, np.memmap) and x.sum() == 499500


def test_cache_hit_maps_the_csr(tmp_path):
    corpus = make_corpus(tmp_path, n_per_class=10)
    built = prepare(corpus, vocab_size=20)
    hit = prepare(corpus, vocab_size=20)
    assert hit.cache_hit and isinstance(hit.train.indices, np.memmap) and isinstance(hit.test.indptr, np.memmap)
    assert np.array_equal(hit.train.indices, built.train.indices) and np.array_equal(hit.test.labels, built.test.labels)


def test_not_an_npz(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"not a zip")
    with pytest.raises(zipfile.BadZipFile):
        load_npz_mmap(tmp_path / "x.npz")


def test_docstring_example():
    assert doctest.testmod(npz_mmap).failed == 0
