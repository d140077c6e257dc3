"""Turn class probabilities into prediction records and write them as CSV or JSON Lines.

A record per input, in input order::

    {"id": "r1", "label": "pos", "probability": 0.97, "probabilities": {"neg": 0.03, "pos": 0.97},
     "top_k": [{"label": "pos", "probability": 0.97}, ...]}          # top_k only with --top-k

- ``label``: the most probable class (ties to the lower class id, as
  :func:`fastbow.models.mlp.predict_classes`), or, for a two-class model with a ``threshold``,
  ``classes[1]`` when ``P(classes[1]) >= threshold`` else ``classes[0]`` (0.5 is the argmax rule,
  up to ties); ``probability`` is that label's probability.
- ``id``: the input's id column value, or its 1-based position when there is none.
- CSV columns: ``id, label, probability, p_<class>`` for each class, then ``top<i>_label,
  top<i>_probability`` for i = 1..k; written with Python's ``csv`` module (fields quoted as needed).
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np

from fastbow.atomic import atomic_write
from fastbow.errors import FastbowError

__all__ = [
    "OUTPUT_FORMATS",
    "decide",
    "format_records",
    "output_format",
    "prediction_records",
    "top_k",
    "write_records",
]

OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def output_format(path: str | os.PathLike) -> str:
    """``"csv"`` or ``"jsonl"`` from ``path``'s suffix.

    Raises:
        FastbowError: another suffix (the message lists the accepted ones).
    """
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise FastbowError(f"--output {path} should end in .csv or .jsonl (the suffix chooses the format)")
    return fmt


def decide(probs: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Predicted class ids from ``probs (n, C) float``: argmax, or the binary threshold rule.

    Returns:
        np.ndarray: ``(n,) int64``.

    Raises:
        FastbowError: ``threshold`` with C != 2, or not a number in [0, 1].
    """
    if threshold is None:
        return probs.argmax(axis=1).astype(np.int64)  # first maximum: ties to the lower class id
    if probs.shape[1] != 2:
        raise FastbowError(f"--threshold applies to two-class models, but this one has {probs.shape[1]} classes; "
                           "drop --threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise FastbowError(f"threshold should be a number in [0, 1], but got threshold={threshold!r}")
    return (probs[:, 1] >= threshold).astype(np.int64)


def top_k(probs: np.ndarray, k: int) -> np.ndarray:
    """Class ids of the ``k`` most probable classes per row, most probable first (ties to the lower id).

    Returns:
        np.ndarray: ``(n, k) int64``.

    Raises:
        FastbowError: ``k`` is not an integer in [1, C].
    """
    c = probs.shape[1]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= c:
        raise FastbowError(f"top_k should be an integer in [1, {c}] (the number of classes), but got top_k={k!r}")
    return np.argsort(-probs, axis=1, kind="stable")[:, :k].astype(np.int64)


def prediction_records(probs: np.ndarray, classes, ids=None, *, k: int | None = None,
                       threshold: float | None = None, digits: int = 6) -> list[dict]:
    """One record per row of ``probs`` (see the module doc).

    Args:
        probs (np.ndarray): ``(n, C) float32`` class probabilities, rows summing to 1.
        classes (sequence of str): the C class names.
        ids (sequence, optional): n ids passed through; default the positions 1..n.
        k (int, optional): add ``top_k``. threshold (float, optional): binary decision threshold.
        digits (int): probabilities are rounded to this many decimals.

    Raises:
        FastbowError: ``ids`` of another length; see :func:`decide` and :func:`top_k`.
    """
    n = probs.shape[0]
    ids = list(range(1, n + 1)) if ids is None else list(ids)
    if len(ids) != n:
        raise FastbowError(f"got {len(ids)} ids for {n} texts; every text needs one id")
    best = decide(probs, threshold)  # (n,)
    tops = top_k(probs, k) if k is not None else None
    records = []
    for i in range(n):
        p = probs[i]
        rec = {"id": ids[i], "label": classes[best[i]], "probability": round(float(p[best[i]]), digits),
               "probabilities": {c: round(float(q), digits) for c, q in zip(classes, p)}}
        if tops is not None:
            rec["top_k"] = [{"label": classes[j], "probability": round(float(p[j]), digits)} for j in tops[i]]
        records.append(rec)
    return records


def _csv_rows(records: list[dict], classes) -> tuple[list[str], list[list]]:
    k = len(records[0].get("top_k", [])) if records else 0
    header = ["id", "label", "probability", *(f"p_{c}" for c in classes)]
    header += [f"top{i}_{x}" for i in range(1, k + 1) for x in ("label", "probability")]
    rows = []
    for r in records:
        row = [r["id"], r["label"], r["probability"], *(r["probabilities"][c] for c in classes)]
        for t in r.get("top_k", []):
            row += [t["label"], t["probability"]]
        rows.append(row)
    return header, rows


def format_records(records: list[dict], classes, fmt: str) -> str:
    """The records as CSV (header + one line per record) or JSON Lines text.

    Raises:
        FastbowError: ``fmt`` is neither ``"csv"`` nor ``"jsonl"``.
    """
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in records)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        header, rows = _csv_rows(records, classes)
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue()
    raise FastbowError(f"unknown output format {fmt!r}; choose csv or jsonl")


def write_records(records: list[dict], classes, path: str | os.PathLike) -> None:
    """Write the records to ``path`` atomically, as CSV or JSON Lines by its suffix (:func:`output_format`)."""
    text = format_records(records, classes, output_format(path))
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)


