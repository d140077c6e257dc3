import pytest

from fastbow.data.vocab import Vocab, build_vocab
from fastbow.errors import DataError, FastbowError


def test_ids_by_count_then_token_and_oov_is_zero():
    docs = [["b", "a", "c"], ["c", "b", "d"], ["c"]]
    v = build_vocab(docs, 3, tokenizer="words")
    assert v.tokens == ("c", "b", "a")        # c:3, then a,b,d tie at... b:2, a:1, d:1 -> a before d
    assert v.counts == (3, 2, 1)
    assert v.encode(["a", "d", "c"]) == [3, 0, 1]
    assert v.n_features == 4 and len(v) == 3


def test_ties_do_not_depend_on_document_order():
    docs = [["x", "y"], ["z", "w"], ["y", "x"]]
    assert build_vocab(docs, 3, tokenizer="w").tokens == build_vocab(docs[::-1], 3, tokenizer="w").tokens == ("x", "y", "w")


def test_vocab_size_larger_than_distinct_tokens_is_clamped_with_warning():
    with pytest.warns(UserWarning, match="vocab_size=10 is larger than the 2 distinct training tokens; using 2"):
        v = build_vocab([["a", "b"]], 10, tokenizer="words")
    assert len(v) == 2


@pytest.mark.parametrize("bad", [0, -3, True, 2.5])
def test_vocab_size_must_be_positive_int(bad):
    with pytest.raises(FastbowError, match="vocab_size should be a positive integer value"):
        build_vocab([["a"]], bad, tokenizer="words")


def test_empty_training_tokens_raise():
    with pytest.raises(DataError, match="empty vocabulary"):
        build_vocab([[], []], 5, tokenizer="words")


def test_save_load_roundtrip_keeps_tokenizer(tmp_path):
    v = Vocab(("é", "b"), (1, 2), "notebook")
    v.save(tmp_path / "vocab.json")
    w = Vocab.load(tmp_path / "vocab.json")
    assert w == v and w.tokenizer == "notebook" and w.encode(["é"]) == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["vocab.json"]  # no temporary file left


def test_load_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        Vocab.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        Vocab.load(tmp_path / "bad.json")


def test_build_from_a_counter_and_keeps_the_tokenizer_name():
    from collections import Counter
    v = build_vocab(Counter({"ab": 3, "c": 1, "d": 1}), 2, tokenizer="notebook")
    assert v.tokens == ("ab", "c") and v.counts == (3, 1) and v.tokenizer == "notebook"


def test_vocab_size_one_and_exactly_the_distinct_count_are_fine_without_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build_vocab([["a", "b", "a"]], 1, tokenizer="words").tokens == ("a",)
        assert len(build_vocab([["a", "b"]], 2, tokenizer="words")) == 2


def test_clamp_warning_points_at_the_caller():
    with pytest.warns(UserWarning) as rec:
        build_vocab([["a"]], 3, tokenizer="words")
    assert rec[0].filename == __file__ or "mutmut" in rec[0].filename   # a mutation run adds one frame


def test_empty_vocabulary_message_in_full():
    with pytest.raises(DataError) as e:
        build_vocab([[]], 5, tokenizer="words")
    assert str(e.value) == "empty vocabulary: the training split has no tokens; check the data and the tokenizer"


@pytest.mark.parametrize("data, msg", [
    ({"tokens": ["a"], "counts": [1]}, "vocabulary data is malformed (KeyError('tokenizer')); rebuild it by training again"),
    ({"tokens": ["a"], "counts": ["x"], "tokenizer": "w"},
     "vocabulary data is malformed (ValueError(\"invalid literal for int() with base 10: 'x'\")); rebuild it by training again"),
    ({"tokens": ["a", "b"], "counts": [1], "tokenizer": "w"},
     "vocabulary data is malformed: 2 tokens but 1 counts; rebuild it"),
])
def test_from_dict_errors_in_full(data, msg):
    with pytest.raises(DataError) as e:
        Vocab.from_dict(data)
    assert str(e.value) == msg


def test_saved_file_is_utf8_json_not_ascii_escapes(tmp_path):
    Vocab(("é", "日本"), (2, 1), "words").save(tmp_path / "v.json")
    raw = (tmp_path / "v.json").read_bytes()
    assert "é".encode() in raw and "日本".encode() in raw and b"\\u" not in raw
