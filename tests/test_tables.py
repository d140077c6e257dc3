"""Tests for fastbow.data.tables: CSV/TSV/JSONL/Parquet readers, label mapping, decode errors, the fraction split."""
import sys

import numpy as np
import pytest
from tabledata import write_csv, write_jsonl

from fastbow.data.tables import read_table, sort_classes, split_by_fraction
from fastbow.errors import DataError, FastbowError

ROWS = [("Great film, \"really\".", "pos"), ("Dull,\nlong.", "neg"), ("", "pos"), ("Meh\tok", "neg")]


@pytest.mark.filterwarnings("ignore:1 of 4 records of .* span several lines inside quotes")  # TSV: said once
@pytest.mark.parametrize("suffix, delim", [(".csv", ","), (".tsv", "\t")])
def test_csv_and_tsv_keep_quoting_newlines_and_order(tmp_path, suffix, delim):
    s = read_table(write_csv(tmp_path / f"r{suffix}", ROWS, delim=delim))
    assert s.texts == [t for t, _ in ROWS]
    assert s.classes == ("neg", "pos") and s.labels.dtype == np.int64 and s.labels.tolist() == [1, 0, 1, 0]
    assert s.doc_ids[0] == f"r{suffix}:2" and s.doc_ids[2] == f"r{suffix}:5"   # line 3 holds the quoted newline
    assert s.n_decode_errors == 0


def test_jsonl_with_integer_labels_sorted_numerically(tmp_path):
    objs = [{"review": f"t{i}", "stars": y} for i, y in enumerate([10, 2, 1, 2])]
    s = read_table(write_jsonl(tmp_path / "r.jsonl", objs), "review", "stars")
    assert s.classes == ("1", "2", "10")                          # not ("1", "10", "2")
    assert s.labels.tolist() == [2, 1, 0, 1] and s.texts == ["t0", "t1", "t2", "t3"]


def test_label_mapping_does_not_depend_on_row_order(tmp_path):
    a = read_table(write_csv(tmp_path / "a.csv", ROWS))
    b = read_table(write_csv(tmp_path / "b.csv", ROWS[::-1]))
    assert a.classes == b.classes and a.labels.tolist() == b.labels.tolist()[::-1]
    assert sort_classes(["b", "a", "10"]) == ("10", "a", "b") and sort_classes(["-1", "3", "+2"]) == ("-1", "+2", "3")


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["good", "bad", "fine"], "label": [1, 0, 1]}), tmp_path / "r.parquet")
    s = read_table(tmp_path / "r.parquet")
    assert s.texts == ["good", "bad", "fine"] and s.classes == ("0", "1") and s.labels.tolist() == [1, 0, 1]
    assert s.doc_ids == ["r.parquet:1", "r.parquet:2", "r.parquet:3"]


def test_parquet_without_pyarrow_says_how_to_install(tmp_path, monkeypatch):
    (tmp_path / "r.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)         # import pyarrow.parquet now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(DataError, match=r"needs pyarrow, which is not installed; pip install pyarrow"):
        read_table(tmp_path / "r.parquet")


def test_damaged_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    (tmp_path / "r.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match=r"r\.parquet is not a readable Parquet file"):
        read_table(tmp_path / "r.parquet")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_bytes_that_are_not_utf8_are_replaced_and_counted(tmp_path, suffix):
    p = tmp_path / f"r{suffix}"
    if suffix == ".csv":
        p.write_bytes(b"text,label\ngood \xff\xfe film,pos\nbad,neg\nok,pos\n")
    else:
        p.write_bytes(b'{"text": "good \xff film", "label": "pos"}\n{"text": "bad", "label": "neg"}\n'
                      b'{"text": "lone \\udc80 escape", "label": "pos"}\n')
    with pytest.warns(UnicodeWarning, match=r"2 of 3 rows of .* held bytes that are not UTF-8" if suffix == ".jsonl"
                      else r"1 of 3 rows of .* held bytes that are not UTF-8"):
        s = read_table(p)
    assert s.texts[0].startswith("good \ufffd") and "\ufffd" not in s.texts[1]
    assert s.n_decode_errors == (2 if suffix == ".jsonl" else 1)
    for t in s.texts:
        t.encode("utf-8")                                           # no lone surrogate is left


@pytest.mark.parametrize("content, msg", [
    (b"", r"table .*r\.csv is empty; it needs a header row"),
    (b"text,label\n", r"table .*r\.csv has no rows"),
    (b"body,label\nx,pos\n", r"has no text column 'text' \(columns: 'body', 'label'\); pass --text-column NAME"),
    (b"text,y\nx,pos\n", r"has no label column 'label' \(columns: 'text', 'y'\); pass --label-column NAME"),
    (b"text,label\nx,pos\ny,neg,extra\n", r"r\.csv line 3 has 3 fields but the header has 2; quote fields"),
    (b"text,label\nx, \nz,neg\n", r"r\.csv:2: the label is empty; give every row a class label"),
    (b"text,label\nx,pos\ny,pos\n", r"has 1 class\(es\) \['pos'\] in column 'label'; need at least 2"),
    (b'text,label\n"unterminated,pos\n', r"is not a valid CSV file \(line \d+: .*\); check its quoting"),
])
def test_csv_errors(tmp_path, content, msg):
    (tmp_path / "r.csv").write_bytes(content)
    with pytest.raises(DataError, match=msg):
        read_table(tmp_path / "r.csv")


@pytest.mark.parametrize("content, msg", [
    (b'{"text": "a", "label": 1}\n{"text": "b", \n', r"r\.jsonl line 2 is not valid JSON"),
    (b'["a", 1]\n', r"line 1 is a JSON list, not an object"),
    (b'{"text": "a"}\n', r"line 1 has no key 'label' \(keys: 'text'\); pass --label-column NAME"),
    (b'{"text": 3, "label": 1}\n', r"line 1: text 'text' is a JSON int, not a string"),
    (b'{"text": "a", "label": 1.5}\n', r"r\.jsonl:1: label 1\.5 is a float that is not a whole number; labels must be strings or integers"),
    (b'{"text": "a", "label": null}\n', r"r\.jsonl:1: the label is missing \(null or NaN\)"),
])
def test_jsonl_errors(tmp_path, content, msg):
    (tmp_path / "r.jsonl").write_bytes(content)
    with pytest.raises(DataError, match=msg):
        read_table(tmp_path / "r.jsonl")


def test_test_file_uses_the_training_classes(tmp_path):
    train = read_table(write_csv(tmp_path / "a.csv", [("x", "b"), ("y", "c"), ("z", "a")]))
    test = read_table(write_csv(tmp_path / "b.csv", [("x", "c"), ("y", "c")]), classes=train.classes)
    assert test.classes == ("a", "b", "c") and test.labels.tolist() == [2, 2]
    with pytest.raises(DataError, match=r"has labels \['d'\] that the training data does not have \(classes: a, b, c\)"):
        read_table(write_csv(tmp_path / "c.csv", [("x", "d")]), classes=train.classes)


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(DataError, match=r"table file .*nope\.csv not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "r.xlsx").write_bytes(b"")
    with pytest.raises(DataError, match=r"suffix '\.xlsx', which is not a table"):
        read_table(tmp_path / "r.xlsx")


def test_split_by_fraction_is_stratified_seeded_and_ordered(tmp_path):
    rows = [(f"t{i}", "pos" if i % 4 else "neg") for i in range(40)]        # 10 neg, 30 pos
    s = read_table(write_csv(tmp_path / "r.csv", rows))
    train, test = split_by_fraction(s, 0.2, seed=0)
    assert np.bincount(test.labels).tolist() == [2, 6] and np.bincount(train.labels).tolist() == [8, 24]
    assert sorted(train.texts + test.texts) == sorted(s.texts)
    assert test.doc_ids == sorted(test.doc_ids, key=lambda d: int(d.split(":")[1]))   # file order kept
    again = split_by_fraction(s, 0.2, seed=0)[1]
    assert again.texts == test.texts and split_by_fraction(s, 0.2, seed=1)[1].texts != test.texts
    tiny = read_table(write_csv(tmp_path / "t.csv", [("a", "x"), ("b", "y"), ("c", "y")]))
    tr, te = split_by_fraction(tiny, 0.9)                   # a class of one document stays in train
    assert tr.texts == ["a", "b"] and te.texts == ["c"]
    with pytest.raises(DataError, match=r"test_fraction should be a number in \(0, 1\), but got test_fraction=1"):
        split_by_fraction(s, 1)
    with pytest.raises(DataError, match=r"leaves no test documents"):
        split_by_fraction(read_table(write_csv(tmp_path / "u.csv", [("a", "x"), ("b", "y")])), 0.5)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_byte_order_mark_is_dropped(tmp_path, suffix):
    p = tmp_path / f"r{suffix}"
    body = b"text,label\ngood,pos\nbad,neg\n" if suffix == ".csv" else b'{"text": "good", "label": "pos"}\n{"text": "bad", "label": "neg"}\n'
    p.write_bytes(b"\xef\xbb\xbf" + body)
    s = read_table(p)
    assert s.texts == ["good", "bad"] and s.n_decode_errors == 0


# issue 10, item 3: nothing swallowed, split or merged silently


def test_a_stray_quote_that_swallows_rows_is_refused(tmp_path):
    path = tmp_path / "r.tsv"
    path.write_text('text\tlabel\n"Great film\tpos\nbad\tneg\nok"\tpos\nworst\tneg\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"r\.tsv lines 2-4: a quoted field opens on line 2 and closes on line 4, "
                                        r"but each of these lines is a whole TSV row by itself, and those rows would be lost; .*--quoting none"):
        read_table(path)
    path.with_suffix(".csv").write_text('text,label\n"Good, bad\nugly, fine",pos\n"x\ny,z",neg\n', encoding="utf-8")
    assert read_table(path.with_suffix(".csv")).texts == ["Good, bad\nugly, fine", "x\ny,z"]  # legal line breaks
    split = read_table(path, quoting="none")  # the file does not quote: every line is a record
    assert split.texts == ['"Great film', "bad", 'ok"', "worst"] and len(split.labels) == 4


def test_records_are_counted_and_tsv_records_on_several_lines_warn(tmp_path, caplog):
    import logging
    path = tmp_path / "m.tsv"
    path.write_text('text\tlabel\n"two\nlines"\tpos\none\tneg\n', encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="fastbow"), \
            pytest.warns(UserWarning, match=r"1 of 2 records of .*m\.tsv span several lines inside quotes; if this "
                                            r"TSV does not quote fields, pass --quoting none"):
        split = read_table(path)
    assert split.texts == ["two\nlines", "one"] and split.doc_ids == ["m.tsv:2", "m.tsv:4"]
    assert f"read 2 records from {path}" in caplog.text


def test_duplicate_column_names_are_an_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label,text\na,pos,b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d\.csv names the column\(s\) 'text' more than once in its header"):
        read_table(path)


def test_whole_float_labels_are_integers_and_mixed_types_are_an_error(tmp_path):
    csv_path = tmp_path / "f.csv"
    csv_path.write_text("text,label\na,1.0\nb,0.0\nc,1\n", encoding="utf-8")  # pandas writes 1.0 with NaNs around
    split = read_table(csv_path)
    assert split.classes == ("0", "1") and split.labels.tolist() == [1, 0, 1]
    jl = tmp_path / "f.jsonl"
    jl.write_text('{"text": "a", "label": 1.0}\n{"text": "b", "label": 0}\n', encoding="utf-8")
    assert read_table(jl).classes == ("0", "1")
    jl.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": "1"}\n{"text": "c", "label": 0}\n')
    with pytest.raises(DataError, match=r"label '1' is written as a number \(f\.jsonl:1\) and as a string "
                                        r"\(f\.jsonl:2\); they would merge into one class"):
        read_table(jl)


def test_delimiter_encoding_and_test_columns(tmp_path):
    from fastbow.data.dataset import DataOptions, read_dataset
    train = tmp_path / "train.csv"
    train.write_bytes("text;label\ncafé good;pos\nbad;neg\n".encode("cp1252"))
    test = tmp_path / "test.csv"
    test.write_bytes("review;y\nnice café;pos\n".encode("cp1252"))
    opts = DataOptions(test_file=str(test), delimiter=";", encoding="cp1252", test_text_column="review",
                       test_label_column="y")
    splits = read_dataset(train, opts)
    assert splits["train"].texts == ["café good", "bad"] and splits["test"].texts == ["nice café"]
    assert splits["test"].labels.tolist() == [1] and splits["train"].n_decode_errors == 0
    with pytest.raises(FastbowError, match=r"delimiter should be one character .*, but got delimiter=';;'"):
        DataOptions(delimiter=";;").validate()
    with pytest.raises(FastbowError, match=r"encoding should be a Python codec name .*, but got encoding='utf-9'"):
        DataOptions(encoding="utf-9").validate()
    assert DataOptions(delimiter="tab").field_delimiter() == "\t"


def test_jsonl_keys_given_twice_nan_labels_and_utf16_tables(tmp_path):
    jl = tmp_path / "k.jsonl"
    jl.write_text('{"text": "a", "label": 1, "text": "b"}\n', encoding="utf-8")  # json.loads would keep "b" only
    with pytest.raises(DataError, match=r"k\.jsonl line 1 is not valid JSON \(key\(s\) 'text' given twice"):
        read_table(jl)
    jl.write_text('{"text": "a", "label": NaN}\n{"text": "b", "label": 1}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"k\.jsonl:1: the label is missing \(null or NaN\)"):
        read_table(jl)
    for suffix, body in ((".csv", "text,label\ncafé,pos\nbad,neg\n"),
                         (".jsonl", '{"text": "café", "label": "pos"}\n{"text": "bad", "label": "neg"}\n')):
        path = tmp_path / f"wide{suffix}"
        path.write_bytes(body.encode("utf-16"))  # what Excel's "Unicode text" and Notepad write
        split = read_table(path)
        assert split.texts == ["café", "bad"] and split.classes == ("neg", "pos") and split.n_decode_errors == 0


def test_a_header_glued_by_another_separator_asks_for_delimiter(tmp_path):
    p = tmp_path / "tabs.csv"
    p.write_text("text\tlabel\ngood\tpos\nbad\tneg\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"its header cell 'text\\tlabel' holds several names, so its fields are "
                                        r"separated by '\\t'; pass --delimiter tab"):
        read_table(p)
