"""BowVectorizer: scipy.sparse multi-hot rows equal to fastbow's own CSR; scikit-learn conventions."""
import numpy as np
import pytest
import scipy.sparse as sp
from corpus import make_corpus
from synthetic import make_texts

from fastbow import BowVectorizer
from fastbow.data.prepare import prepare
from fastbow.data.reader import read_imdb
from fastbow.errors import FastbowError


@pytest.mark.parametrize("tokenizer", ["whitespace", "notebook", "words"])
def test_fit_transform_equals_fastbows_own_csr(tmp_path, tokenizer):
    folder = make_corpus(tmp_path, n_per_class=30)
    own = prepare(folder, tokenizer, 20, use_cache=False)
    splits = read_imdb(folder)
    vec = BowVectorizer(tokenizer=tokenizer, vocab_size=20)
    X_train = vec.fit_transform(splits["train"].texts)
    X_test = vec.transform(splits["test"].texts)
    for X, csr in ((X_train, own.train), (X_test, own.test)):
        assert isinstance(X, sp.csr_matrix) and X.shape == (csr.n_docs, 21) and X.dtype == np.float32
        assert np.array_equal(X.indptr, csr.indptr) and np.array_equal(X.indices, csr.indices)
        assert np.all(X.data == 1.0) and X.has_sorted_indices
        assert (X != csr.to_scipy()).nnz == 0
    assert vec.vocabulary_ == own.vocab.index and vec.n_features_out_ == 21
    assert vec.get_feature_names_out().tolist() == ["<oov>", *own.vocab.tokens]


def test_fit_then_transform_equals_fit_transform():
    texts, _ = make_texts(20)
    a = BowVectorizer(vocab_size=10).fit_transform(texts)
    b = BowVectorizer(vocab_size=10).fit(texts).transform(texts)
    assert (a != b).nnz == 0 and a.shape == (40, 11)


def test_out_of_vocabulary_tokens_go_to_column_0():
    vec = BowVectorizer(vocab_size=2).fit(["good good film", "good film"])
    assert vec.transform(["good zebra", "", "film"]).toarray().tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_transform_before_fit_says_so():
    with pytest.raises(FastbowError, match=r"this BowVectorizer is not fitted yet; call fit\(texts\) first"):
        BowVectorizer().transform(["a"])


def test_bad_options_are_reported_in_fit():
    vec = BowVectorizer(tokenizer="spaces")  # __init__ stores only
    with pytest.raises(FastbowError, match="unknown tokenizer 'spaces'"):
        vec.fit(["a b"])
    with pytest.raises(FastbowError, match="vocab_size should be a positive integer value, but got vocab_size=0"):
        BowVectorizer(vocab_size=0).fit(["a b"])


def test_with_a_scikit_learn_model_in_a_pipeline():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    texts, labels = make_texts(30)
    pipe = make_pipeline(BowVectorizer(vocab_size=25), LogisticRegression())
    assert cross_val_score(pipe, texts, labels, cv=3).mean() > 0.9
    assert sklearn.base.clone(pipe).get_params()["bowvectorizer__vocab_size"] == 25
