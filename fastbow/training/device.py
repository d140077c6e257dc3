"""Pick the torch device a run uses: ``"auto"`` means CUDA when present."""
from __future__ import annotations

import torch

from fastbow.errors import FastbowError


def resolve_device(name: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; other names as ``torch.device``.

    Raises:
        FastbowError: the name is invalid or CUDA was requested but is unavailable.
    """
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except (RuntimeError, TypeError):
        raise FastbowError(f"invalid device {name!r}; use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise FastbowError(f"device {name!r} requested but CUDA is not available; use --device cpu")
    return dev
