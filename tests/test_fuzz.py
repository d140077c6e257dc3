"""Fuzz-style tests: random bytes as reviews and tables, random arrays as CSR.

The contract checked: whatever the input, the readers, tokenizers, encoder and the validators in front of
the loader (``CSR.validate``, ``fastbow.kernels.validate_csr``) either succeed — and then the result is
right — or raise the documented ``DataError``. Nothing else (no IndexError, UnicodeError, crash or
silently wrong batch). Hypothesis runs derandomized, so CI sees the same examples every time.
"""
import warnings

import numpy as np
import pytest
import torch

hypothesis = pytest.importorskip("hypothesis")
from fastbow.kernels import scatter_multi_hot, validate_csr  # noqa: E402
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fastbow.data.csr import CSR, encode_csr  # noqa: E402
from fastbow.data.reader import read_imdb  # noqa: E402
from fastbow.data.tables import read_table  # noqa: E402
from fastbow.data.tokenize import TOKENIZERS  # noqa: E402
from fastbow.data.vocab import build_vocab, count_tokens  # noqa: E402
from fastbow.errors import DataError  # noqa: E402

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# bytes biased towards what breaks decoders and tokenizers: invalid UTF-8, surrogate encodings, NUL, <br />
NASTY = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"<br />", b"\r\n", b"'", b"\xe2\x80\x99",
                         b"\"", b",", b"\t", b"{", b"}", b"caf\xc3\xa9", b" ", b"good", b"bad"])
TEXT_BYTES = st.lists(st.one_of(NASTY, st.binary(max_size=8)), max_size=12).map(b"".join)


def dense(indptr, indices, rows, n_features):
    """``(B, n_features) float32`` reference built in NumPy."""
    out = np.zeros((len(rows), n_features), dtype=np.float32)
    for b, r in enumerate(rows):
        out[b, indices[indptr[r]:indptr[r + 1]]] = 1.0
    return out


def encode_and_scatter(texts):
    """Every tokenizer → vocabulary → CSR → validators → scatter, checked against the dense reference."""
    for name, tok in TOKENIZERS.items():
        tokens = [tok(t) for t in texts]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)        # clamped vocabulary
                vocab = build_vocab(count_tokens(tokens), 8, tokenizer=name)
        except DataError as e:
            assert "empty vocabulary" in str(e) and not any(tokens)
            continue
        indptr, indices = encode_csr(tokens, vocab)
        csr = CSR(indptr, indices, np.zeros(len(texts), np.int64), vocab.n_features).validate()
        t_ip, t_ix = torch.from_numpy(csr.indptr), torch.from_numpy(csr.indices)
        validate_csr(t_ip, t_ix, vocab.n_features)
        rows = torch.arange(len(texts), dtype=torch.int64)
        out = torch.empty(len(texts), vocab.n_features)
        scatter_multi_hot(t_ip, t_ix, rows, out, backend="numba")
        assert np.array_equal(out.numpy(), dense(indptr, indices, range(len(texts)), vocab.n_features))
        for i, t in enumerate(tokens):
            assert indices[indptr[i]:indptr[i + 1]].tolist() == sorted(set(vocab.encode(t)))


@FUZZ
@given(docs=st.lists(TEXT_BYTES, min_size=4, max_size=4))
def test_random_bytes_as_review_files(tmp_path_factory, docs):
    root = tmp_path_factory.mktemp("fuzz") / "aclImdb"
    for split in ("train", "test"):
        for j, cls in enumerate(("neg", "pos")):
            (root / split / cls).mkdir(parents=True)
            for i, raw in enumerate(docs[2 * j: 2 * j + 2]):
                (root / split / cls / f"{i}_1.txt").write_bytes(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnicodeWarning)
        splits = read_imdb(root)
    train = splits["train"]
    assert train.n_decode_errors == sum(1 for d in docs if _invalid_utf8(d))
    for t in train.texts:
        t.encode("utf-8")                                          # always encodable (U+FFFD, no surrogates)
    encode_and_scatter(train.texts)


def _invalid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


LABEL_BYTES = st.sampled_from([b"a", b"b", b"c", b"1", b"10", b"\xff", b"", b" a ", b'"b"'])


@st.composite
def table_bytes(draw, suffix):
    """A table with a header and rows of random bytes (sometimes breaking the format), or pure noise."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=60))
    rows = draw(st.lists(st.tuples(TEXT_BYTES, LABEL_BYTES), min_size=1, max_size=8))
    if suffix == ".jsonl":
        return b"".join(b'{"text": "' + t + b'", "label": "' + y + b'"}\n' for t, y in rows)
    d = b"," if suffix == ".csv" else b"\t"
    quote = draw(st.booleans())
    cell = (lambda t: b'"' + t.replace(b'"', b'""') + b'"') if quote else (lambda t: t)
    return b"text" + d + b"label\n" + b"".join(cell(t) + d + y + b"\n" for t, y in rows)


@settings(FUZZ, max_examples=80)
@given(data=st.data(), suffix=st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_random_bytes_as_table_files(tmp_path_factory, data, suffix):
    raw = data.draw(table_bytes(suffix))
    path = tmp_path_factory.mktemp("fuzz") / f"t{suffix}"
    path.write_bytes(raw)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnicodeWarning)
            warnings.filterwarnings("ignore", ".* span several lines inside quotes", UserWarning)  # TSV
            split = read_table(path)
    except DataError as e:
        assert "\n" not in str(e)                                   # one line
        event("DataError")
        return
    event("table read")
    assert len(split.classes) >= 2 and split.labels.max() < len(split.classes)
    for t in split.texts:
        t.encode("utf-8")
    encode_and_scatter(split.texts)


DTYPES = st.sampled_from([np.int64, np.int32, np.int16, np.uint8, np.float64, np.bool_])


@st.composite
def csr_arrays(draw):
    n_docs = draw(st.integers(0, 5))
    lengths = draw(st.lists(st.integers(0, 4), min_size=n_docs, max_size=n_docs))
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    n_features = draw(st.integers(-1, 6))
    high = max(n_features, 1)
    indices = np.array(draw(st.lists(st.integers(0, high - 1), min_size=int(indptr[-1]), max_size=int(indptr[-1]))),
                       dtype=np.int64)
    # then damage it, maybe: dtype, one value, length, dimensions
    damage = draw(st.sampled_from(["none", "none", "dtype_ptr", "dtype_ix", "poke_ptr", "poke_ix", "drop_ix", "add_ix",
                                   "2d", "empty_ptr"]))
    if damage == "dtype_ptr":
        indptr = indptr.astype(draw(DTYPES))
    elif damage == "dtype_ix":
        indices = indices.astype(draw(DTYPES))
    elif damage == "poke_ptr":
        indptr[draw(st.integers(0, len(indptr) - 1))] = draw(st.integers(-3, 30))
    elif damage == "poke_ix" and len(indices):
        indices[draw(st.integers(0, len(indices) - 1))] = draw(st.sampled_from([-2, -1, high, high + 5, 2**31 - 1]))
    elif damage == "drop_ix" and len(indices):
        indices = indices[:-1]
    elif damage == "add_ix":
        indices = np.append(indices, draw(st.integers(-2, 7)))
    elif damage == "2d":
        indices = indices.reshape(1, -1)
    elif damage == "empty_ptr":
        indptr = indptr[:0]
    if indices.dtype == np.int64 and draw(st.booleans()):
        indices = indices.astype(np.int32)
    return indptr, indices, n_features


@settings(FUZZ, max_examples=150)
@given(arrays=csr_arrays())
def test_random_arrays_as_csr(arrays):
    indptr, indices, n_features = arrays
    n_labels = max(len(indptr) - 1, 0)
    verdicts = []
    for check in (lambda: CSR(indptr, indices, np.zeros(n_labels, np.int64), n_features).validate(),
                  lambda: validate_csr(torch.from_numpy(indptr), torch.from_numpy(indices), n_features)):
        try:
            check()
            verdicts.append(True)
        except DataError as e:
            assert "\n" not in str(e)
            verdicts.append(False)
    event(f"CSR.validate {verdicts[0]}, validate_csr {verdicts[1]}")
    if verdicts[1]:                                                  # accepted: the scatter must be right
        n_docs = len(indptr) - 1
        if n_docs > 0:
            rows = torch.arange(n_docs, dtype=torch.int64).flip(0)
            out = torch.full((n_docs, n_features), 7.0)
            scatter_multi_hot(torch.from_numpy(indptr), torch.from_numpy(indices), rows, out, backend="numba")
            assert np.array_equal(out.numpy(), dense(indptr, indices, rows.tolist(), n_features))
    if verdicts[0] and n_features > 0:                               # CSR.validate is at least as strict
        assert verdicts[1]


# issue 10, item 1: the words rule is a function of the text's NFC form (canonically equivalent
# spellings give the same tokens), and its tokens are fixed points of the rule.
UNICODE_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from("aeiouAEIOU éÉñ İ ß \u0301\u0308\u0323 '’‘ʼ´` \u200c\u200d .,-<br/> 12½²"
                    "बुरा बोरा क्ष খারাপ ভালো ดีมาก 東京 ｘ ﬁ"),
    st.characters(codec="utf-8")), max_size=30)


@FUZZ
@given(UNICODE_TEXT)
def test_words_is_invariant_under_canonical_normalization(text):
    import unicodedata

    from fastbow.data.tokenize import APOSTROPHES, words
    toks = words(text)
    assert words(unicodedata.normalize("NFC", text)) == toks == words(unicodedata.normalize("NFD", text))
    for t in toks:
        assert t and unicodedata.is_normalized("NFC", t) and not set(APOSTROPHES) & set(t)
    assert words(" ".join(toks)) == toks


# issue 10, item 3: whatever the texts hold (quotes, delimiters, line breaks), a table written by Python's
# csv module (QUOTE_MINIMAL, as pandas writes) reads back row for row, or is refused as ambiguous; never
# a row lost or split silently.
TABLE_TEXT = st.text(alphabet=st.sampled_from(list('ab é"\',;\t\n\r ') + ["\u2028", "x"]), max_size=15)


@FUZZ
@given(rows=st.lists(st.tuples(TABLE_TEXT, st.sampled_from(["pos", "neg", "1", "2"])), min_size=2, max_size=6),
       suffix=st.sampled_from([".csv", ".tsv"]))
def test_tables_written_by_csv_read_back_row_for_row(tmp_path_factory, rows, suffix):
    import csv as csv_module
    if len({label for _, label in rows}) < 2:
        rows = rows + [("other", "neg" if rows[0][1] != "neg" else "pos")]
    path = tmp_path_factory.mktemp("fuzz-table") / f"t{suffix}"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv_module.writer(f, delimiter="\t" if suffix == ".tsv" else ",")
        w.writerow(["text", "label"])
        w.writerows(rows)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # TSV records on several lines
            split = read_table(path)
    except DataError as e:
        event("refused as ambiguous")
        assert "is a whole" in str(e) and "row by itself" in str(e)
        return
    assert split.texts == [t for t, _ in rows] and len(split.labels) == len(rows)
    assert [split.classes[i] for i in split.labels] == [label for _, label in rows]
