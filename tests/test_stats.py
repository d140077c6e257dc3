"""Statistics on a hand-made corpus whose every figure is computed by hand below.

train/neg: "a a b c" (4 tokens), "b d" (2)      train/pos: "a e e f" (4), "g" (1)
test/neg:  "a z z"   (3)                         test/pos:  "h b" (2)
Training counts: a 3, b 2, e 2, c 1, d 1, f 1, g 1 → with K = 6 (ties by token) the vocabulary is
a b e c d f (ids 1..6) and g is out of vocabulary.
"""
import json

import pytest

from fastbow.stats import main

DOCS = {("train", "neg"): ["a a b c", "b d"], ("train", "pos"): ["a e e f", "g"],
        ("test", "neg"): ["a z z"], ("test", "pos"): ["h b"]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand") / "aclImdb"
    for (split, cls), texts in DOCS.items():
        (root / split / cls).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / split / cls / f"{i}_{8 if cls == 'pos' else 2}.txt").write_text(text)
    return root


def stats(corpus, capsys, *extra):
    assert main(["--data", str(corpus), "--tokenizer", "whitespace", "--vocab-size", "6", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_hand_computed_figures(corpus, capsys):
    st = stats(corpus, capsys)
    assert (st["tokenizer"], st["vocab_size"], st["n_features"], st["classes"]) == ("whitespace", 6, 7, ["neg", "pos"])
    assert st["most_frequent"] == [["a", 3], ["b", 2], ["e", 2], ["c", 1], ["d", 1]]
    assert st["least_frequent"] == [["b", 2], ["e", 2], ["c", 1], ["d", 1], ["f", 1]]   # ids 2..6, vocabulary order
    assert st["singletons"] == 4                                                        # c d f g
    assert st["splits"]["train"] == {
        "n_docs": 4, "per_class": {"neg": 2, "pos": 2}, "n_tokens": 11, "mean_tokens": 2.75,
        "mean_distinct_tokens": 2.25,            # 3 + 2 + 3 + 1
        "distinct_tokens": 7, "oov_distinct": 1, "oov_occurrences": 1, "docs_with_oov": 1,
        "mean_active_features": 2.25}            # {a,b,c} {b,d} {a,e,f} {OOV}
    assert st["splits"]["test"] == {
        "n_docs": 2, "per_class": {"neg": 1, "pos": 1}, "n_tokens": 5, "mean_tokens": 2.5,
        "mean_distinct_tokens": 2.0, "distinct_tokens": 4, "oov_distinct": 2, "oov_occurrences": 3,  # z z h
        "docs_with_oov": 2, "mean_active_features": 2.0}                                            # {a,OOV} {b,OOV}


def test_out_file_matches_stdout_and_text_report(corpus, capsys, tmp_path):
    st = stats(corpus, capsys, "--out", str(tmp_path / "s.json"))
    assert json.loads((tmp_path / "s.json").read_text()) == st
    assert main(["--data", str(corpus), "--tokenizer", "whitespace", "--vocab-size", "6"]) == 0
    out = capsys.readouterr().out
    assert next(l for l in out.splitlines() if l.startswith("mean tokens per document")).split()[-2:] == ["2.75", "2.5"]
    assert "5 most frequent training tokens: a 3, b 2, e 2, c 1, d 1" in out
    assert "5 least frequent in the vocabulary (ids 2..6): b 2, e 2, c 1, d 1, f 1" in out


def test_compare_puts_tokenizers_side_by_side(corpus, capsys):
    assert main(["--data", str(corpus), "--compare", "whitespace,words", "--vocab-size", "6", "--json"]) == 0
    both = json.loads(capsys.readouterr().out)["tokenizers"]
    assert list(both) == ["whitespace", "words"]
    assert both["words"]["splits"]["train"]["mean_tokens"] == 2.75   # same tokens here
    assert main(["--data", str(corpus), "--compare", "whitespace,words", "--vocab-size", "6"]) == 0
    out = capsys.readouterr().out
    assert ["tokenizer", "whitespace", "words"] in [line.split() for line in out.splitlines()]
    assert "train: OOV tokens, distinct" in out


def test_bad_compare_list(corpus, capsys):
    assert main(["--data", str(corpus), "--compare", "words,words"]) == 2
    assert "error: --compare should list distinct tokenizer names" in capsys.readouterr().err


def test_real_imdb_matches_the_notebook(imdb_archive, capsys):
    """SEED.md reference figures (whitespace tokenizer, K = 20,000)."""
    assert main(["--data", str(imdb_archive), "--tokenizer", "whitespace", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    train = st["splits"]["train"]
    assert train["per_class"] == {"neg": 12500, "pos": 12500} and st["splits"]["test"]["n_docs"] == 25000
    assert round(train["mean_tokens"], 4) == 233.7872
    assert st["most_frequent"] == [["the", 287032], ["a", 155096], ["and", 152664], ["of", 142972], ["to", 132568]]


def test_stats_out_to_a_missing_folder_is_one_line(tmp_path, capsys):
    from corpus import make_corpus

    from fastbow.stats import main as stats_main
    corpus = make_corpus(tmp_path / "c", n_per_class=5)
    assert stats_main(["--data", str(corpus), "--vocab-size", "10", "--out", str(tmp_path / "nodir" / "x.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot write") and "nodir/x.json" in err and "\n" not in err
