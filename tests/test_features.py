"""A run's feature options (fastbow.data.features): the cache key, prepared n-gram caches, training end to end."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from fastbow.data.features import default_vocab_size, resolve_input
from fastbow.data.ngrams import NgramOptions
from fastbow.data.prepare import cache_key, prepare
from fastbow.errors import FastbowError
from fastbow.training.run import TrainConfig, validate_config

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus

pytestmark = pytest.mark.filterwarnings("ignore:vocab_size")


def test_cache_key_changes_with_every_option():
    base = ("fp", "words", 100, NgramOptions())
    variants = [("fp2", "words", 100, NgramOptions()), ("fp", "whitespace", 100, NgramOptions()),
                ("fp", "words", 101, NgramOptions())]
    variants += [("fp", "words", 100, NgramOptions(**{k: v})) for k, v in
                 (("ngrams", 2), ("min_df", 2), ("min_df", 0.5), ("max_df", 0.9), ("max_df", 10), ("counts", True))]
    variants.append(("fp", "words", 100, NgramOptions(ngrams=2, hash_buckets=1024)))
    variants.append(("fp", "words", 100, NgramOptions(ngrams=2, hash_buckets=2048)))
    keys = {cache_key(*base)} | {cache_key(*v) for v in variants}
    assert len(keys) == len(variants) + 1
    # the default options leave the unigram caches' keys as they were
    assert cache_key("fp", "words", 100, NgramOptions()) == cache_key("fp", "words", 100)


def test_prepare_caches_ngrams_with_counts(tmp_path):
    root = make_corpus(tmp_path, 30)
    opts = NgramOptions(ngrams=2, min_df=2, counts=True)
    a = prepare(root, "words", 500, cache_dir=tmp_path / "c", ngram=opts)
    b = prepare(root, "words", 500, cache_dir=tmp_path / "c", ngram=opts)
    assert not a.cache_hit and b.cache_hit and a.cache_path == b.cache_path
    assert b.vocab == a.vocab and any(" " in t for t in b.vocab.tokens)
    for x, y in ((a.train, b.train), (a.test, b.test)):
        assert np.array_equal(x.indices, y.indices) and np.array_equal(x.data, y.data)
        assert x.data.dtype == np.float32 and x.data.min() >= 1
    c = prepare(root, "words", 500, cache_dir=tmp_path / "c", ngram=NgramOptions(ngrams=2, min_df=2))
    assert not c.cache_hit and c.cache_path != a.cache_path


def test_defaults_and_validation():
    assert TrainConfig().vocab_size == 20_000 and TrainConfig(ngrams=2).vocab_size == default_vocab_size(2) == 100_000
    assert TrainConfig(ngrams=3, vocab_size=7).vocab_size == 7
    assert resolve_input("auto", 20_001) == "dense" and resolve_input("auto", 100_001) == "sparse"
    assert resolve_input("dense", 100_001) == "dense"
    for kw, msg in ((dict(dropout=1.0), r"^dropout should be a number in \[0, 1\), but got dropout=1.0"),
                    (dict(weight_decay=-1.0), r"^weight_decay should be a number >= 0, but got weight_decay=-1.0"),
                    (dict(weighting="bm25"), r"^unknown weighting 'bm25'"),
                    (dict(ngrams=2, hash_buckets=0), r"^hash_buckets should be a positive integer value"),
                    (dict(weight_decay=0.1, optimizer="sgd", input="sparse", lr=0.1),
                     r"^weight_decay with --optimizer sgd needs dense gradients")):
        with pytest.raises(FastbowError, match=msg):
            validate_config(TrainConfig(**kw))


@pytest.mark.parametrize("flags", [
    ["--ngrams", "2", "--weighting", "nb"],
    ["--ngrams", "3", "--weighting", "tfidf", "--input", "sparse", "--dropout", "0.2"],
    ["--ngrams", "2", "--hash-buckets", "64", "--weighting", "count", "--input", "dense", "--weight-decay", "1e-4"],
])
def test_train_end_to_end(tmp_path, flags):
    from fastbow.train import main

    root = make_corpus(tmp_path, 40)
    out = tmp_path / "run"
    assert main(["--data", str(root), "--out", str(out), "--epochs", "4", "--lr", "1e-2", "--batch-size", "16", "--no-progress",
                 "--no-cache", "--val-fraction", "0.2"] + flags) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs"][-1]["test_accuracy"] > 0.85, m["epochs"][-1]  # chance: 0.5
    v = json.loads((out / "vocab.json").read_text())
    assert v["ngrams"] == int(flags[1]) and m["config"]["weighting"] == flags[flags.index("--weighting") + 1]


def test_stats_report_ngram_vocabulary(tmp_path, capsys):
    from fastbow.stats import main

    root = make_corpus(tmp_path, 30)
    assert main(["--data", str(root), "--ngrams", "2", "--vocab-size", "40", "--no-cache", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["vocab_size"] == 40 and sum(st["kept_by_order"].values()) == 40 and st["n_features"] == 41
    assert st["kept_by_order"]["2"] > 0 and all(" " in t for t, _ in st["most_frequent"]["2"])
    tr = st["splits"]["train"]
    assert 0 < tr["oov_occurrences"] < tr["occurrences"] and tr["oov_share"] == tr["oov_occurrences"] / tr["occurrences"]
    assert main(["--data", str(root), "--ngrams", "2", "--vocab-size", "10", "--hash-buckets", "16", "--no-cache"]) == 0
    text = capsys.readouterr().out
    assert "16 buckets" in text and "collisions" in text


def test_sweep_parses_the_feature_kinds():
    from fastbow.sweep import parse_values, value_label

    assert parse_values("dropout", "0,0.5") == [0.0, 0.5] and parse_values("dropout", None) == [0.0, 0.25, 0.5]
    assert parse_values("weight-decay", "0,1e-5") == [0.0, 1e-5]
    assert parse_values("weighting", "binary,nb") == ["binary", "nb"]
    assert parse_values("weighting", None) == ["binary", "count", "tfidf", "nb"]
    assert value_label("dropout", 0.25) == "0.25" and value_label("weighting", "nb") == "nb"
    with pytest.raises(FastbowError, match=r"^--values should be distinct weightings among binary, count, tfidf, nb"):
        parse_values("weighting", "nb,bm25")
    with pytest.raises(FastbowError, match=r"^--values should be distinct comma-separated numbers >= 0, but got '0,-1'"):
        parse_values("dropout", "0,-1")


def test_ngram_run_resumes_and_predict_refuses(tmp_path, capsys):
    from fastbow.train import main

    root = make_corpus(tmp_path, 30)
    out = tmp_path / "run"
    common = ["--no-progress", "--no-cache"]
    assert main(["--data", str(root), "--out", str(out), "--epochs", "1", "--ngrams", "2", "--weighting", "nb",
                 "--batch-size", "16"] + common) == 0
    assert main(["--resume", str(out), "--epochs", "2"] + common) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert [e["epoch"] for e in m["epochs"]] == [1, 2] and m["config"]["ngrams"] == 2
    from fastbow.predict import main as predict_main

    capsys.readouterr()
    assert predict_main(["--model", str(out), "good film"]) == 2
    assert "was trained with --ngrams 2 --weighting nb; predict and evaluate score unigram binary runs only" in \
        capsys.readouterr().err
