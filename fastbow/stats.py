"""Dataset statistics: ``python -m fastbow.stats`` (SEED.md exercises I.1, I.2, II.1, II.4).

Examples::

    python -m fastbow.stats --tokenizer whitespace          # the notebook's figures (I.1, I.2)
    python -m fastbow.stats --tokenizer notebook --json     # II.4's tokenizer, as JSON on stdout
    python -m fastbow.stats --compare whitespace,notebook,words

Per split: documents per class, mean tokens per document, mean distinct tokens per document,
distinct tokens, out-of-vocabulary (OOV) tokens (distinct and occurrences) and the mean number of
active features per multi-hot vector (OOV slot included); for the training split also the 5 most
and 5 least frequent vocabulary tokens. The vocabulary is the one training uses: the K most
frequent *training* tokens (:func:`fastbow.data.vocab.build_vocab`). Token counts come from one pass of
the tokenizer over the texts; active features come from the (cached) CSR of
:func:`fastbow.data.prepare.prepare`, i.e. exactly what the model sees. The JSON keys are documented in
the README ("Dataset statistics").

Conventions:

- "Least frequent" means the last 5 entries of the vocabulary (ids K-4..K), listed in vocabulary
  order: the in-vocabulary tokens of the lowest count, and among equal counts the last ones the
  vocabulary admitted (it ranks by count, ties by token ascending, then cuts at K). The notebook
  listed count-1 tokens from outside its vocabulary, in the order its ``Counter`` met them, which
  depends on the reading order; ``singletons`` counts such tokens instead.
- A document's active features are its distinct in-vocabulary ids plus 1 when it holds any OOV
  token: fewer than its tokens, because repeats count once and all OOV tokens share slot 0 (II.1).
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter

import numpy as np

from fastbow.data.csr import CSR
from fastbow.data.datapath import resolve_data_path
from fastbow.data.dataset import DataOptions
from fastbow.data.labelled import prepare_any, read_splits
from fastbow.data.tokenize import DEFAULT_TOKENIZER, TOKENIZERS, get_tokenizer
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE, Vocab, build_vocab, check_vocab_size

from .atomic import write_json
from .cli import HelpFormatter, Parser, exit_process, run_cli
from .errors import FastbowError

log = logging.getLogger("fastbow")

TOP_N = 5


def count_split(texts, tokenizer) -> tuple[np.ndarray, np.ndarray, Counter]:
    """Tokenize each text once.

    Returns:
        tuple: tokens per document ``(n_docs,) int64``, distinct tokens per document
        ``(n_docs,) int64``, and the split's token ``Counter``.
    """
    n = len(texts)
    lengths, distinct = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    counter: Counter = Counter()
    update = counter.update
    for i, text in enumerate(texts):
        toks = tokenizer(text)
        lengths[i], distinct[i] = len(toks), len(set(toks))
        update(toks)
    return lengths, distinct, counter


def split_stats(labels: np.ndarray, classes, lengths: np.ndarray, distinct: np.ndarray, counter: Counter,
                vocab: Vocab, csr: CSR) -> dict:
    """The statistics of one split (see the README for the keys).

    Args:
        labels (np.ndarray): ``(n_docs,) int64`` class ids.
        classes (sequence of str): class names, ``classes[i]`` for label ``i``.
        lengths, distinct (np.ndarray): ``(n_docs,) int64`` tokens and distinct tokens per document.
        counter (Counter): token occurrences in the split.
        vocab (Vocab): the training vocabulary (OOV = outside it).
        csr (CSR): the split's multi-hot rows (active features = row lengths; id 0 = OOV slot).
    """
    n = len(labels)
    oov = {t: c for t, c in counter.items() if t not in vocab.index}
    n_tokens = int(lengths.sum())
    counts = np.bincount(labels, minlength=len(classes))
    active = csr.row_lengths()  # (n_docs,) int64
    first_id = csr.indices[csr.indptr[:-1][active > 0]]  # ids are sorted per row: OOV (0) comes first
    return {
        "n_docs": n,
        "per_class": {c: int(k) for c, k in zip(classes, counts)},
        "n_tokens": n_tokens,
        "mean_tokens": n_tokens / n,
        "mean_distinct_tokens": float(distinct.sum()) / n,
        "distinct_tokens": len(counter),
        "oov_distinct": len(oov),
        "oov_occurrences": int(sum(oov.values())),
        "docs_with_oov": int(np.count_nonzero(first_id == 0)),
        "mean_active_features": float(active.sum()) / n,
    }


def dataset_stats(splits: dict, tokenizer: str, vocab_size: int, csrs: dict) -> dict:
    """Statistics of all splits for one tokenizer.

    Args:
        splits (dict[str, fastbow.data.reader.Split]): ``read_imdb`` output, with a ``"train"`` split.
        tokenizer (str): tokenizer name.
        vocab_size (int): K requested.
        csrs (dict[str, fastbow.data.csr.CSR]): the prepared CSR of each split (same tokenizer and K).

    Returns:
        dict: ``{"tokenizer", "vocab_size", "n_features", "classes", "most_frequent",
        "least_frequent", "singletons", "splits": {name: split_stats}}``.

    Raises:
        FastbowError: the CSR and the counted tokens disagree (different vocabulary or data).
    """
    tok = get_tokenizer(tokenizer)
    counted = {name: count_split(s.texts, tok) for name, s in splits.items()}
    vocab = build_vocab(counted["train"][2], vocab_size, tokenizer=tokenizer)
    classes = list(splits["train"].classes)
    out = {"tokenizer": tokenizer, "vocab_size": len(vocab), "n_features": vocab.n_features, "classes": classes,
           "most_frequent": [[t, c] for t, c in zip(vocab.tokens[:TOP_N], vocab.counts[:TOP_N])],
           "least_frequent": [[t, c] for t, c in zip(vocab.tokens[-TOP_N:], vocab.counts[-TOP_N:])],
           "singletons": sum(1 for c in counted["train"][2].values() if c == 1),
           "splits": {}}
    for name, s in splits.items():
        csr = csrs[name]
        if csr.n_features != vocab.n_features or csr.n_docs != len(s.labels):
            raise FastbowError(f"the prepared CSR of split {name!r} does not match the data "
                               f"({csr.n_docs} rows, {csr.n_features} features); rerun with --no-cache")
        lengths, distinct, counter = counted[name]
        out["splits"][name] = split_stats(s.labels, classes, lengths, distinct, counter, vocab, csr)
    return out


def collect(data=None, tokenizers=(DEFAULT_TOKENIZER,), vocab_size: int = DEFAULT_VOCAB_SIZE,
            use_cache: bool = True, options: DataOptions | None = None) -> dict[str, dict]:
    """Read the data once and compute :func:`dataset_stats` for each tokenizer.

    ``data`` may be any dataset the trainer reads, or a bare table (its rows are then the one split
    ``train``): see :mod:`fastbow.data.labelled`; ``options`` carries the table columns and test split.

    Returns:
        dict: ``{tokenizer: stats}`` in the order given.

    Raises:
        FastbowError / DataError: unknown tokenizer, bad K, missing or corrupt data.
    """
    for name in tokenizers:
        get_tokenizer(name)
    check_vocab_size(vocab_size)
    path = resolve_data_path(data)
    t0 = time.perf_counter()
    splits = read_splits(path, options)
    log.info("read %s in %.1f s", path, time.perf_counter() - t0)
    result = {}
    for name in tokenizers:
        t0 = time.perf_counter()
        p = prepare_any(path, name, vocab_size, use_cache=use_cache, options=options)
        result[name] = dataset_stats(splits, name, vocab_size, {"train": p.train, "test": p.test})
        result[name]["data"] = str(path)
        log.info("statistics for tokenizer %s in %.1f s", name, time.perf_counter() - t0)
    return result


# ---------------------------------------------------------------------------- text tables


def fmt_num(x) -> str:
    """Integers with thousands separators; floats to at most 5 decimals, trailing zeros dropped."""
    if isinstance(x, (int, np.integer)):
        return f"{x:,}"
    return f"{x:,.5f}".rstrip("0").rstrip(".")


_ROWS = [("documents", "n_docs"), ("tokens", "n_tokens"), ("mean tokens per document", "mean_tokens"),
         ("mean distinct tokens per document", "mean_distinct_tokens"), ("distinct tokens", "distinct_tokens"),
         ("OOV tokens, distinct", "oov_distinct"), ("OOV tokens, occurrences", "oov_occurrences"),
         ("documents with an OOV token", "docs_with_oov"),
         ("mean active features per multi-hot row", "mean_active_features")]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])])
    return "\n".join([line(header)] + [line(r) for r in rows])


def _tokens(pairs) -> str:
    return ", ".join(f"{t} {c:,}" for t, c in pairs)


def format_stats(st: dict) -> str:
    """A human-readable report of one tokenizer's statistics."""
    names = list(st["splits"])
    rows = []
    for label, key in _ROWS[:1]:
        rows.append([label] + [fmt_num(st["splits"][n][key]) for n in names])
    for c in st["classes"]:
        rows.append([f"  {c}"] + [fmt_num(st["splits"][n]["per_class"][c]) for n in names])
    for label, key in _ROWS[1:]:
        rows.append([label] + [fmt_num(st["splits"][n][key]) for n in names])
    head = (f"tokenizer {st['tokenizer']}: vocabulary K = {st['vocab_size']:,} most frequent training tokens "
            f"(+ OOV slot = {st['n_features']:,} features)")
    return "\n".join([head, _table(["split"] + names, rows),
                      f"{TOP_N} most frequent training tokens: {_tokens(st['most_frequent'])}",
                      (f"{TOP_N} least frequent in the vocabulary (ids {st['vocab_size'] - TOP_N + 1}.."
                       f"{st['vocab_size']}): {_tokens(st['least_frequent'])}"),
                      f"distinct training tokens that occur once: {st['singletons']:,}"])


def format_compare(all_stats: dict) -> str:
    """Side-by-side table of several tokenizers (training split unless a row says test)."""
    names = list(all_stats)
    rows = [["vocabulary K"] + [fmt_num(all_stats[n]["vocab_size"]) for n in names]]
    for split in all_stats[names[0]]["splits"]:
        for label, key in _ROWS[1:]:
            rows.append([f"{split}: {label}"] + [fmt_num(all_stats[n]["splits"][split][key]) for n in names])
    for i in range(TOP_N):
        rows.append([f"most frequent #{i + 1}"] + ["{} {:,}".format(*all_stats[n]["most_frequent"][i])
                                                   if i < len(all_stats[n]["most_frequent"]) else "-" for n in names])
    return _table(["tokenizer"] + names, rows)


def _df(text: str):
    """An int (documents) or a float (fraction), as scikit-learn reads ``min_df``/``max_df``."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.stats`` argument parser."""
    p = Parser(prog="python -m fastbow.stats", formatter_class=HelpFormatter,
                                description="Dataset statistics per split: class balance, lengths, frequent tokens, "
                                            "OOV, active multi-hot features.")
    p.add_argument("--data", default=None, metavar="PATH", help="aclImdb_v1.tar.gz, a folder in the aclImdb layout "
                   "(any class names) or a .csv/.tsv/.jsonl/.parquet table (alone: every row is the train split) "
                   "(default: $FASTBOW_DATA, caches, download)")
    p.add_argument("--tokenizer", default=DEFAULT_TOKENIZER, choices=list(TOKENIZERS), help="tokenizer name")
    p.add_argument("--compare", default=None, metavar="A,B,...",
                   help="comma-separated tokenizers to compare side by side (e.g. whitespace,notebook,words)")
    p.add_argument("--vocab-size", type=int, default=None, metavar="K",
                   help="vocabulary size (default: 20,000; with --ngrams as fastbow.train's)")
    f = p.add_argument_group("n-gram vocabulary (as fastbow.train's flags): kept n-grams per order, OOV share, "
                             "hash collisions")
    f.add_argument("--ngrams", type=int, default=1, metavar="N", help="word n-grams of orders 1..N")
    f.add_argument("--min-df", type=_df, default=1, metavar="DF", help="document-frequency floor")
    f.add_argument("--max-df", type=_df, default=1.0, metavar="DF", help="document-frequency ceiling")
    f.add_argument("--hash-buckets", type=int, default=None, metavar="M", help="hash n-grams of order >= 2")
    p.add_argument("--json", action="store_true", help="print JSON on stdout instead of tables (logs are muted)")
    p.add_argument("--out", default=None, metavar="FILE", help="also write the JSON to FILE (atomically)")
    p.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True,
                   help="reuse the tokenized CSR cache; --no-cache re-tokenizes")
    own = p.add_argument_group("own data (as python -m fastbow.train)")
    own.add_argument("--text-column", default="text", metavar="NAME", help="table column with the text")
    own.add_argument("--label-column", default="label", metavar="NAME", help="table column with the label")
    own.add_argument("--test-file", default=None, metavar="PATH", help="table file with the test split")
    own.add_argument("--test-fraction", type=float, default=None, metavar="F",
                     help="hold out this fraction of the training data as the test split (stratified, seed 0)")
    return p


def run(args: argparse.Namespace) -> dict:
    """Compute, print and optionally save the statistics described by parsed ``args``."""
    if args.json:
        logging.getLogger("fastbow").setLevel(logging.WARNING)  # keep stdout pure JSON
    if args.ngrams != 1 or args.min_df != 1 or args.max_df != 1.0 or args.hash_buckets is not None:
        return run_ngrams(args)
    if args.vocab_size is None:
        args.vocab_size = DEFAULT_VOCAB_SIZE
    names = [s.strip() for s in args.compare.split(",") if s.strip()] if args.compare else [args.tokenizer]
    if not names or len(set(names)) != len(names):
        raise FastbowError(f"--compare should list distinct tokenizer names separated by commas, "
                           f"but got {args.compare!r}")
    options = DataOptions(args.text_column, args.label_column, args.test_file, args.test_fraction)
    all_stats = collect(args.data, names, args.vocab_size, use_cache=args.cache, options=options)
    doc = all_stats[names[0]] if len(names) == 1 and not args.compare else {"tokenizers": all_stats}
    if args.out:
        write_json(args.out, doc)
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    elif args.compare:
        print(format_compare(all_stats))
    else:
        print(format_stats(doc))
    return doc


def run_ngrams(args: argparse.Namespace) -> dict:
    """The n-gram vocabulary report (:func:`fastbow.data.features.ngram_stats`) for parsed ``args``."""
    from fastbow.data.features import (
        default_vocab_size,
        format_ngram_stats,
        ngram_stats,
    )
    from fastbow.data.ngrams import NgramOptions
    from fastbow.data.prepare import prepare

    if args.compare:
        raise FastbowError("--compare reports unigram statistics; drop it with --ngrams/--min-df/--max-df/--hash-buckets")
    k = args.vocab_size if args.vocab_size is not None else default_vocab_size(args.ngrams)
    opts = NgramOptions(args.ngrams, args.min_df, args.max_df, args.hash_buckets, counts=True)
    p = prepare(resolve_data_path(args.data), args.tokenizer, k, use_cache=args.cache, ngram=opts)
    doc = ngram_stats(p)
    if args.out:
        write_json(args.out, doc)
    print(json.dumps(doc, indent=2, ensure_ascii=False) if args.json else format_ngram_stats(doc))
    return doc


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (see :func:`fastbow.cli.run_cli`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_cli(lambda: run(args), parser)


if __name__ == "__main__":
    exit_process(main())  # without the interpreter's multi-second teardown (see fastbow.cli)
