"""BowClassifier: scikit-learn conventions, labels, options, notebook output, save/load, the trainer's defaults."""
import dataclasses
import inspect
import json
import pickle

import numpy as np
import pytest
from synthetic import make_texts

from fastbow import BowClassifier
from fastbow.errors import FastbowError
from fastbow.estimators.classifier import TRAINER_OPTIONS
from fastbow.estimators.params import NotFittedError
from fastbow.predict import main as predict_main
from fastbow.training.run import TrainConfig

SMALL = {"vocab_size": 25, "hidden": 16, "batch_size": 16, "epochs": 4, "lr": 0.03, "verbose": False}
GOOD, BAD = "a great wonderful film", "an awful boring waste"


@pytest.fixture(scope="module")
def texts_labels():
    return make_texts(40)


@pytest.fixture(scope="module")
def fitted(texts_labels):
    return BowClassifier(**SMALL).fit(*texts_labels)


def test_defaults_are_the_trainers(texts_labels):
    sig = inspect.signature(BowClassifier.__init__).parameters
    defaults = dataclasses.asdict(TrainConfig())  # resolved: vocab_size 20,000 for unigrams
    assert set(TRAINER_OPTIONS) <= set(defaults)
    for name in TRAINER_OPTIONS:
        assert sig[name].default == defaults[name], name
    assert set(BowClassifier().get_params()) == {*TRAINER_OPTIONS, "verbose"}


def test_init_only_stores_and_fit_validates():
    clf = BowClassifier(lr=-1, batch_size=0)  # no error yet: scikit-learn's convention
    assert clf.lr == -1 and clf.batch_size == 0
    with pytest.raises(FastbowError, match="batch_size should be a positive integer value, but got batch_size=0"):
        clf.fit(["a"], [0])
    with pytest.raises(FastbowError, match="lr should be a positive number, but got lr=-1"):
        clf.set_params(batch_size=2).fit(["a b", "c d"], [0, 1])


def test_fit_predict_proba_score(fitted, texts_labels):
    assert fitted.classes_.tolist() == ["neg", "pos"] and fitted.n_features_in_ == 26
    p = fitted.predict_proba([GOOD, BAD, ""])
    assert p.shape == (3, 2) and p.dtype == np.float32 and np.allclose(p.sum(axis=1), 1)
    assert p[0, 1] > 0.8 and p[1, 0] > 0.8          # columns follow classes_: neg, pos
    assert fitted.predict([GOOD, BAD]).tolist() == ["pos", "neg"]
    assert fitted.score(*texts_labels) == 1.0
    assert fitted.score([GOOD, BAD], ["neg", "pos"]) == 0.0
    assert fitted.predict_proba([]).shape == (0, 2)
    assert fitted.vocabulary_["great"] >= 1 and fitted.model_.fc1.in_features == 26


def test_history_has_the_keys_of_metrics_json(fitted):
    assert [e["epoch"] for e in fitted.history_] == [1, 2, 3, 4]
    assert set(fitted.history_[0]) == {"epoch", "train_loss", "train_accuracy", "train_perplexity", "time_s", "eval_s"}
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"]
    assert fitted.metrics_["epochs"] is fitted.history_ and fitted.metrics_["rows"] == {"train": 80, "test": 0}


def test_integer_labels_and_three_classes():
    texts, labels = make_texts(30, classes=("neg", "neutral", "pos"))
    y = [{"neg": 0, "neutral": 5, "pos": 10}[c] for c in labels]
    clf = BowClassifier(**SMALL | {"epochs": 8}).fit(texts, y)
    assert clf.classes_.tolist() == [0, 5, 10] and clf.classes_.dtype.kind == "i"
    assert clf.predict_proba(texts[:3]).shape == (3, 3) and clf.score(texts, y) > 0.9


def test_mixed_labels_are_an_error(texts_labels):
    texts, labels = texts_labels
    with pytest.raises(FastbowError, match=r"y mixes label types: str \('neg'\), int \(1\)"):
        BowClassifier(**SMALL).fit(texts, labels[:-1] + [1])


def test_score_with_an_unseen_label(fitted):
    with pytest.raises(FastbowError, match=r"label 'meh' \(y\[0\]\) is not one of the classes seen in fit"):
        fitted.score([GOOD], ["meh"])


def test_not_fitted():
    with pytest.raises(NotFittedError, match=r"this BowClassifier is not fitted yet; call fit\(texts, y\) first"):
        BowClassifier().predict(["a"])


def test_set_params_rejects_unknown_names():
    with pytest.raises(ValueError, match="Invalid parameter 'learning_rate' for estimator BowClassifier"):
        BowClassifier().set_params(learning_rate=0.1)
    assert repr(BowClassifier(lr=0.01, epochs=3)) == "BowClassifier(epochs=3, lr=0.01)"


def test_same_seed_same_model_and_sparse_input_gives_the_same_numbers(texts_labels):
    a = BowClassifier(**SMALL).fit(*texts_labels)  # the default path (fused on the CPU)
    c = BowClassifier(**SMALL).fit(*texts_labels)
    assert np.array_equal(a.predict_proba(texts_labels[0]), c.predict_proba(texts_labels[0]))
    # the autograd sparse path is the dense path's function (same optimizer, same numbers)
    b = BowClassifier(**SMALL | {"input": "sparse"}).fit(*texts_labels)
    d = BowClassifier(**SMALL | {"input": "dense"}).fit(*texts_labels)
    assert [e["train_loss"] for e in d.history_] == pytest.approx([e["train_loss"] for e in b.history_], rel=1e-5)


def test_validation_and_early_stopping(texts_labels):
    texts, labels = texts_labels
    noise = np.random.default_rng(0).permutation(labels).tolist()  # unlearnable: validation perplexity rises
    clf = BowClassifier(**SMALL | {"epochs": 30, "lr": 0.1, "val_fraction": 0.25, "early_stopping": 2})
    clf.fit(texts, noise)
    assert "val_perplexity" in clf.history_[0] and clf.metrics_["rows"] == {"train": 60, "val": 20, "test": 0}
    stopped, best = clf.metrics_["stopped_epoch"], clf.metrics_["best_epoch"]
    assert stopped == len(clf.history_) < 30 and best == stopped - 2
    ppl = [e["val_perplexity"] for e in clf.history_]
    assert ppl[best - 1] == min(ppl)


def test_verbose_prints_one_line_per_epoch_and_quiet_prints_none(texts_labels, capsys):
    BowClassifier(**SMALL | {"verbose": True, "epochs": 2}).fit(*texts_labels)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert [line.split(" |")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert "train loss" in lines[0] and "initial training loss" in out
    BowClassifier(**SMALL | {"epochs": 2}).fit(*texts_labels)
    quiet = capsys.readouterr().out  # warnings (e.g. the small-data note) may still show; INFO lines may not
    assert "epoch " not in quiet and "initial" not in quiet and "data ready" not in quiet


def test_save_load_and_the_predict_cli(fitted, tmp_path, capsys):
    out = fitted.save(tmp_path / "run")
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.pt", "metrics.json", "model.pt", "vocab.json"]
    assert json.loads((out / "metrics.json").read_text())["epochs"][-1]["epoch"] == 4
    loaded = BowClassifier.load(out, device="cpu")
    assert loaded.get_params() == fitted.get_params() | {"device": "cpu", "verbose": True}
    assert loaded.classes_.tolist() == ["neg", "pos"] and loaded.history_ == fitted.history_
    assert np.array_equal(loaded.predict_proba([GOOD, BAD]), fitted.predict_proba([GOOD, BAD]))
    assert predict_main(["--model", str(out), GOOD, BAD]) == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["pos", "neg"]
    loaded.save(tmp_path / "again")  # a loaded classifier saves its checkpoint unchanged
    assert BowClassifier.load(tmp_path / "again").predict([GOOD]).tolist() == ["pos"]


def test_integer_classes_survive_save_and_load(tmp_path):
    texts, labels = make_texts(20)
    clf = BowClassifier(**SMALL).fit(texts, [int(c == "pos") for c in labels])
    loaded = BowClassifier.load(clf.save(tmp_path / "ints"))
    assert loaded.classes_.tolist() == [0, 1] and loaded.predict([GOOD]).tolist() == [1]


def test_pickles(fitted):
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.predict_proba([GOOD]), fitted.predict_proba([GOOD]))


def test_scikit_learn_clone_cross_val_score_and_grid_search(texts_labels):
    pytest.importorskip("sklearn")
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import GridSearchCV, cross_val_score

    texts, labels = texts_labels
    clf = BowClassifier(**SMALL)
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == clf.get_params() and is_classifier(clf)
    scores = cross_val_score(clf, texts, labels, cv=3)  # stratified: is_classifier
    assert scores.shape == (3,) and scores.min() > 0.9
    search = GridSearchCV(clf, {"lr": [1e-5, 0.03]}, cv=3).fit(texts, labels)
    assert search.best_params_ == {"lr": 0.03} and search.best_estimator_.score(texts, labels) == 1.0
    assert search.cv_results_["mean_test_score"][0] < search.cv_results_["mean_test_score"][1]
    assert not hasattr(clf, "classes_")  # the search fitted clones, never the original


def test_fit_on_imdb_in_memory_scores_at_least_0885(imdb_archive):
    from fastbow.data.reader import read_imdb

    imdb = read_imdb(imdb_archive)
    train, test = imdb["train"], imdb["test"]
    clf = BowClassifier(input="sparse", verbose=False)  # same numbers as dense with Adam, 3x faster (README)
    clf.fit(train.texts, [train.classes[i] for i in train.labels])
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert clf.score(test.texts, [test.classes[i] for i in test.labels]) >= 0.885
