"""fastbow/inference.py: Predictor and load_predictor, the library behind python -m fastbow.predict."""
import warnings

import numpy as np
from corpus import train_small
from synthetic import make_texts

from fastbow import BowClassifier
from fastbow.inference import load_predictor


def test_a_run_finished_by_early_stopping_is_not_called_unfinished(tmp_path):
    texts, labels = make_texts(40)
    noise = np.random.default_rng(0).permutation(labels).tolist()  # validation perplexity rises: it stops early
    clf = BowClassifier(vocab_size=25, hidden=16, batch_size=16, epochs=30, lr=0.1, val_fraction=0.25,
                        early_stopping=2, verbose=False).fit(texts, noise)
    assert clf.metrics_["stopped_epoch"] < 30
    path = clf.save(tmp_path / "stopped")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "unfinished run" warning
        predictor = load_predictor(path)
    assert predictor.classes == ("neg", "pos")
    assert np.array_equal(predictor.probabilities(texts[:5]), clf.predict_proba(texts[:5]))


def test_integer_classes_come_back_as_integers(tmp_path):
    texts, labels = make_texts(20)
    clf = BowClassifier(vocab_size=25, hidden=16, batch_size=16, epochs=4, lr=0.03, verbose=False)
    clf.fit(texts, [int(c == "pos") for c in labels])
    names, probs = load_predictor(clf.save(tmp_path / "ints")).predict(["a great wonderful film", "awful boring"])
    assert names == [1, 0] and probs.dtype == np.float32 and (probs > 0.5).all()


def test_a_cli_run_loads(tmp_path):
    from corpus import make_corpus

    assert train_small(make_corpus(tmp_path), tmp_path / "run") == 0
    predictor = load_predictor(tmp_path / "run")
    assert predictor.classes == ("neg", "pos") and predictor.model.fc1.in_features == predictor.vocab.n_features
