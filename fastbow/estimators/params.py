"""Estimator parameters by scikit-learn's rules (``sklearn/base.py``), without importing scikit-learn.

``__init__`` only stores its arguments, unchanged, under the same names; every check happens in
``fit``. Then ``get_params`` is the ``__init__`` signature read back, ``set_params`` sets
attributes, and ``sklearn.base.clone`` (``type(est)(**est.get_params(deep=False))``),
``GridSearchCV`` and ``cross_val_score`` work without code of their own.
"""
from __future__ import annotations

import inspect

from fastbow.errors import FastbowError

__all__ = ["NotFittedError", "ParamsMixin"]


class NotFittedError(FastbowError, AttributeError):
    """An estimator was used before ``fit`` (a ``ValueError`` and an ``AttributeError``, as scikit-learn's)."""


class ParamsMixin:
    """``get_params``, ``set_params``, ``__repr__`` and the fitted check for an estimator class."""

    @classmethod
    def _param_names(cls) -> list[str]:
        """The ``__init__`` keyword names, sorted (scikit-learn's order)."""
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values() if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments as ``{name: value}`` (``deep`` is accepted for scikit-learn; no nesting here)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set constructor arguments by name; returns ``self``.

        Raises:
            ValueError: an unknown name (the message lists the valid ones, as scikit-learn's).
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator {type(self).__name__}(). "
                                 f"Valid parameters are: {valid!r}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        """``BowClassifier(epochs=3, lr=0.01)``: the arguments that differ from the defaults."""
        sig = inspect.signature(type(self).__init__)
        changed = []
        for name in self._param_names():
            default = sig.parameters[name].default
            value = getattr(self, name, default)
            if value is not default and value != default:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def _check_fitted(self, attr: str = "classes_") -> None:
        """Raise :class:`NotFittedError` unless ``fit`` has set ``attr``."""
        if not hasattr(self, attr):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(texts"
                                 f"{', y' if attr == 'classes_' else ''}) first")
