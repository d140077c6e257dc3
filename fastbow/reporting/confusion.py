"""The confusion matrix as a PNG (``python -m fastbow.evaluate --plot``).

Cells are coloured by the share of their row (recall per true class, 0..1, so classes of different
sizes are comparable) and annotated with the count and that share; the axes name the classes.
Built like :mod:`fastbow.reporting.plots` (``Figure`` + Agg, written atomically).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from fastbow.reporting.plots import save_figure

__all__ = ["plot_confusion"]


def plot_confusion(report: dict, path, *, title: str = "") -> None:
    """Draw ``report["confusion_matrix"]`` (rows: true class, columns: predicted) into the PNG ``path``.

    Args:
        report (dict): from :func:`fastbow.evaluation.report.classification_report` (``classes``,
            ``confusion_matrix``, ``accuracy``, ``n``).
        path: the PNG to write (atomically).
        title (str): first title line; the accuracy and the number of documents follow.
    """
    classes = report["classes"]
    cm = np.asarray(report["confusion_matrix"], dtype=np.int64)  # (C, C)
    rows = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)  # (C, C) float64, rows sum to 1
    c = len(classes)
    size = min(max(3.5, 0.7 * c + 2.5), 14)
    fig = Figure(figsize=(size + 1, size))
    ax = fig.subplots()
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of the true class (recall on the diagonal)")
    if c <= 30:
        for i in range(c):
            for j in range(c):
                ax.text(j, i, f"{cm[i, j]:,}\n{100 * share[i, j]:.1f}%", ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(c), classes, rotation=45 if c > 4 else 0, ha="right" if c > 4 else "center")
    ax.set_yticks(range(c), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    head = f"{title}\n" if title else ""
    ax.set_title(f"{head}accuracy {100 * report['accuracy']:.2f}% on {report['n']:,} documents", fontsize=10)
    save_figure(fig, path)
