"""Choose the number of output logits C from the number of classes.

Two classes default to one logit with ``BCEWithLogitsLoss`` (the course
notebook's head); three or more need one logit per class with
``CrossEntropyLoss``. A two-class dataset may also use two logits.
"""
from __future__ import annotations

from fastbow.errors import FastbowError


def resolve_logits(requested: int | None, classes) -> int:
    """The head width for ``classes``: ``requested``, or the default when it is ``None``.

    Args:
        requested (int | None): ``--logits``; ``None`` means automatic (1 for 2 classes, else C).
        classes (sequence of str): the class names, C = ``len(classes)`` ≥ 2.

    Returns:
        int: 1 or C.

    Raises:
        FastbowError: ``requested`` is 1 with C ≥ 3 classes, or neither 1 nor C.

    Example:
        >>> resolve_logits(None, ("neg", "pos")), resolve_logits(None, ("a", "b", "c")), resolve_logits(2, ("n", "p"))
        (1, 3, 2)
    """
    c = len(classes)
    if requested is None:
        return 1 if c == 2 else c
    names = ", ".join(classes)
    if requested == 1 and c > 2:
        raise FastbowError(f"--logits 1 (one binary logit) cannot separate {c} classes ({names}); "
                           f"omit --logits or pass --logits {c}")
    if requested not in (1, c):
        raise FastbowError(f"--logits {requested} does not match the {c} classes ({names}); "
                           f"omit --logits or pass --logits {c}" + (" or 1" if c == 2 else ""))
    return requested
