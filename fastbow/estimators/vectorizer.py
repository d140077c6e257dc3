"""``BowVectorizer``: texts → multi-hot ``scipy.sparse.csr_matrix``, fastbow's CSR for any scikit-learn model."""
from __future__ import annotations

import numpy as np

from fastbow.data.csr import encode_csr
from fastbow.data.memory import check_texts
from fastbow.data.parallel_encode import tokenize_count_encode
from fastbow.data.tokenize import DEFAULT_TOKENIZER, get_tokenizer
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE, OOV_ID, Vocab, check_vocab_size
from fastbow.estimators.params import ParamsMixin

__all__ = ["OOV_NAME", "BowVectorizer"]

OOV_NAME = "<oov>"  # get_feature_names_out()[0]: the column of every out-of-vocabulary token


class BowVectorizer(ParamsMixin):
    """Multi-hot bag of words with fastbow's tokenizers and vocabulary, as scikit-learn's ``CountVectorizer``.

    Column 0 is the out-of-vocabulary slot (1 when a text holds any token outside the
    vocabulary); columns 1..K are the K most frequent tokens of the texts given to ``fit``, in
    decreasing frequency, ties by token (:func:`fastbow.data.vocab.build_vocab`). A value is 1.0
    when the token occurs (any number of times), else 0 — the rows fastbow trains on, equal to
    :func:`fastbow.data.prepare.prepare`'s CSR for the same tokenizer and K.

    Parameters:
        tokenizer (str): ``"whitespace"``, ``"notebook"`` or ``"words"`` (default; see README, Tokenizers).
        vocab_size (int): K, the most frequent training tokens kept (default 20,000; clamped
            with a ``UserWarning`` to the number of distinct tokens).
        dtype (numpy dtype): of the matrix values (default ``numpy.float32``).

    Attributes:
        vocabulary_ (dict[str, int]): token → column, columns 1..K.
        vocab_ (fastbow.data.vocab.Vocab): the same, with training counts and the tokenizer name.
        n_features_out_ (int): K + 1.

    Raises (in ``fit``/``transform``):
        FastbowError: unknown tokenizer, bad ``vocab_size``, texts that are not a list of strings,
            ``transform`` before ``fit``.
        DataError: the texts hold no token at all (empty vocabulary).

    Example:
        >>> v = BowVectorizer(vocab_size=3)
        >>> X = v.fit_transform(["a good film", "a bad film", "good good"])
        >>> v.get_feature_names_out().tolist(), X.toarray().tolist()
        (['<oov>', 'good', 'a', 'film'], [[0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]])
    """

    def __init__(self, tokenizer: str = DEFAULT_TOKENIZER, vocab_size: int = DEFAULT_VOCAB_SIZE, dtype=np.float32):
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.dtype = dtype

    def _fit_encode(self, texts):
        texts = check_texts(texts)
        get_tokenizer(self.tokenizer)
        check_vocab_size(self.vocab_size)
        vocab, (indptr, indices), _, _ = tokenize_count_encode(texts, [], self.tokenizer, self.vocab_size)
        self._set_vocab(vocab)
        return self._matrix(indptr, indices)

    def _set_vocab(self, vocab: Vocab) -> None:
        self.vocab_ = vocab
        self.vocabulary_ = dict(vocab.index)
        self.n_features_out_ = vocab.n_features

    def _matrix(self, indptr: np.ndarray, indices: np.ndarray):
        import scipy.sparse as sp

        data = np.ones(len(indices), dtype=self.dtype)
        m = sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, self.n_features_out_))
        m.has_sorted_indices = True  # encode_csr sorts and deduplicates every row
        return m

    def fit(self, texts, y=None):
        """Build the vocabulary from ``texts`` (list of str); ``y`` is ignored. Returns ``self``."""
        self._fit_encode(texts)
        return self

    def fit_transform(self, texts, y=None):
        """``fit(texts)`` then ``transform(texts)``, tokenizing once.

        Returns:
            scipy.sparse.csr_matrix: ``(n_texts, K + 1)`` of ``dtype``, sorted unique column ids per row.
        """
        return self._fit_encode(texts)

    def transform(self, texts):
        """Multi-hot rows of ``texts`` with the fitted vocabulary (unknown tokens → column 0).

        Returns:
            scipy.sparse.csr_matrix: ``(n_texts, K + 1)`` of ``dtype``.
        """
        self._check_fitted("vocab_")
        texts = check_texts(texts)
        tok = get_tokenizer(self.vocab_.tokenizer)
        indptr, indices = encode_csr((tok(t) for t in texts), self.vocab_)  # (n+1,) int64, (nnz,) int32
        return self._matrix(indptr, indices)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Column names: ``(K + 1,) object`` array, ``"<oov>"`` then the vocabulary tokens in column order."""
        self._check_fitted("vocab_")
        names = np.empty(self.n_features_out_, dtype=object)
        names[OOV_ID] = OOV_NAME
        names[1:] = self.vocab_.tokens
        return names
