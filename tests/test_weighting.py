"""Feature values (fastbow.data.weighting): tf-idf against scikit-learn, NB ratios against NumPy, training rows only."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from fastbow.data.csr import CSR
from fastbow.data.features import apply_weighting
from fastbow.data.ngram_encode import encode_ngrams
from fastbow.data.subsets import Splits
from fastbow.data.tokenize import words
from fastbow.data.weighting import Weighting, nb_ratios
from fastbow.errors import FastbowError

pytestmark = pytest.mark.filterwarnings("ignore:vocab_size")

TRAIN = ["good good film", "bad film<br />bad plot", "great fun, good plot", "awful bad bad", "a film", "good"]
Y = np.array([1, 0, 1, 0, 1, 1])
TEST = ["good plot and unknown words", "bad bad film", "zzz"]


def csrs(ngrams=2):
    v, tr, te, _ = encode_ngrams(TRAIN, TEST, "words", 1000, ngrams=ngrams, workers=1)
    return v, CSR(tr[0], tr[1], Y, v.n_features, tr[2]), CSR(te[0], te[1], np.zeros(3, np.int64), v.n_features, te[2])


@pytest.mark.filterwarnings("ignore:vocab_size")
def test_tfidf_equals_tfidfvectorizer_on_the_same_vocabulary():
    v, train, test = csrs()
    w = Weighting("tfidf").fit(train)
    # fastbow's n-grams never cross <br />; scikit-learn's would, so give it the same vocabulary and
    # texts without the break (the vocabulary holds no cross-break n-gram to count)
    vec = TfidfVectorizer(tokenizer=words, lowercase=False, token_pattern=None, ngram_range=(1, 2),
                          vocabulary={t: i for i, t in enumerate(v.tokens)}, smooth_idf=True, sublinear_tf=False,
                          norm="l2").fit([t.replace("<br />", " ") for t in TRAIN])
    for csr, texts in ((train, TRAIN), (test, TEST)):
        got = w.transform(csr).to_scipy().toarray()
        expected = vec.transform(texts).toarray()
        assert np.allclose(got[:, 1:], expected, atol=1e-6)
        assert np.all(got[:, 0] == 0)  # the OOV slot carries nothing, as scikit-learn has none


def test_nb_ratios_equal_numpy_reference_two_classes():
    _, train, _ = csrs()
    X = (train.to_scipy().toarray() > 0).astype(np.float64)
    p = 1.0 + X[Y == 1].sum(0)
    q = 1.0 + X[Y == 0].sum(0)
    r = np.log((p / p.sum()) / (q / q.sum()))
    assert np.allclose(nb_ratios(train, 2), r, atol=1e-6)
    w = Weighting("nb", 2).fit(train)
    assert np.allclose(w.transform(train).to_scipy().toarray(), X * r, atol=1e-6)


def test_nb_ratios_three_classes_one_vs_rest_max_abs():
    _, train, _ = csrs()
    y3 = np.array([0, 1, 2, 1, 0, 2])
    train = CSR(train.indptr, train.indices, y3, train.n_features, train.data)
    X = (train.to_scipy().toarray() > 0).astype(np.float64)
    rs = []
    for c in range(3):
        p, q = 1.0 + X[y3 == c].sum(0), 1.0 + X[y3 != c].sum(0)
        rs.append(np.log((p / p.sum()) / (q / q.sum())))
    rs = np.array(rs)
    expected = rs[np.abs(rs).argmax(0), np.arange(rs.shape[1])]
    assert np.allclose(nb_ratios(train, 3), expected, atol=1e-6)


def test_count_and_binary_and_errors():
    _, train, test = csrs()
    assert Weighting("count").fit(train).transform(test).data is test.data
    assert Weighting("binary").fit(train).transform(test).data is None
    with pytest.raises(FastbowError, match=r"^tfidf needs term counts, but the CSR holds none"):
        Weighting("tfidf").fit(train).transform(test.with_data(None))
    with pytest.raises(FastbowError, match=r"^unknown weighting 'bm25'; choose one of: binary, count, tfidf, nb"):
        Weighting("bm25").fit(train)
    with pytest.raises(FastbowError, match=r"^this Weighting is not fitted yet"):
        Weighting("nb").transform(test)


def test_fitted_on_training_rows_only():
    _, train, test = csrs()
    tr, val = train.subset([0, 1, 2, 3]), train.subset([4, 5])
    parts = apply_weighting("nb", Splits(tr, val, test), 2)
    r = nb_ratios(tr, 2)  # the validation rows' labels do not enter the ratios
    assert np.array_equal(parts.val.data, r[val.indices]) and np.array_equal(parts.test.data, r[test.indices])
    assert not np.allclose(nb_ratios(train, 2), r)
    idf_parts = apply_weighting("tfidf", Splits(tr, None, test), 2)
    ref = Weighting("tfidf").fit(tr).transform(test)
    assert np.array_equal(idf_parts.test.data, ref.data) and idf_parts.val is None
