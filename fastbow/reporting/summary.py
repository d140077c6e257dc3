"""``--summary``: the model's parameters as a table, per layer (SEED.md, exercise IV).

For ``OneHotMLP(20_001, 200, 1)`` (V = 20,000, H = 200)::

    layer  parameter  shape          count
    fc1    weight     (200, 20001)   4,000,200
    fc1    bias       (200,)               200
    fc1    total                     4,000,400
    fc2    weight     (1, 200)             200
    fc2    bias       (1,)                   1
    fc2    total                           201
    total                            4,000,601
"""
from __future__ import annotations

from torch import nn

from fastbow.models.mlp import parameter_table


def layer_rows(model: nn.Module) -> list[tuple[str, str, str, int]]:
    """``(layer, parameter, shape, count)`` rows: each tensor, a total per layer, then the grand total.

    ``layer`` is the parameter name up to its last dot (``fc1`` of ``fc1.weight``); totals have
    ``parameter == "total"`` (per layer) or ``layer == "total"`` (whole model) and an empty shape.
    """
    rows, layer, subtotal, total = [], None, 0, 0
    for name, shape, count in parameter_table(model):
        lay, _, param = name.rpartition(".")
        if layer is not None and lay != layer:
            rows.append((layer, "total", "", subtotal))
            subtotal = 0
        layer = lay
        rows.append((lay, param, str(shape), count))
        subtotal += count
        total += count
    if layer is not None:
        rows.append((layer, "total", "", subtotal))
    rows.append(("total", "", "", total))
    return rows


def format_parameter_table(model: nn.Module) -> str:
    """The table of :func:`layer_rows` as aligned text (counts with thousands separators)."""
    rows = [("layer", "parameter", "shape", "count")] + [(a, b, c, f"{n:,}") for a, b, c, n in layer_rows(model)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d:>{widths[3]}}".rstrip()
                     for a, b, c, d in rows)
