"""How fastbow's Numba kernels meet their environment: the on-disk cache and the threading layer.

On-disk cache (read-only installs)
    ``@njit(cache=True)`` looks for a writable folder when the module is imported: ``$NUMBA_CACHE_DIR``,
    ``__pycache__`` beside the source file, then the user-wide cache (``~/.cache/numba``). In a
    read-only install with a read-only ``$HOME`` (containers, system packages) there is none and
    Numba raises ``RuntimeError: cannot cache function``, so importing fastbow failed even with
    ``--backend torch``. :func:`cached_njit` then points Numba at a private folder under the
    system's temporary directory (created mode 0700 and refused unless owned by this user: cache
    files are pickles, so a folder that another user can write to must never be read), and says
    so once with a ``RuntimeWarning``. Only if that fails too are the kernels compiled without a
    cache (a few seconds per process). Set ``NUMBA_CACHE_DIR`` to choose the folder yourself.

Threading layer (fork and threads)
    Numba's parallel kernels run on one of three layers (numba.readthedocs.io, "The Threading
    Layers"): ``tbb`` (fork-safe and thread-safe), ``omp`` (thread-safe; GNU OpenMP is not
    fork-safe: a ``multiprocessing`` fork pool that scores after a kernel ran hangs in the child)
    and ``workqueue`` (fork-safe, but concurrent launches from several threads abort the process).
    Policy, applied at import unless ``NUMBA_THREADING_LAYER`` is set (then the user's choice wins):
    ``"safe"`` (tbb) when the ``tbb`` package is installed, else ``"workqueue"``. Every layer is made
    thread-safe by :data:`LAUNCH_LOCK`, which the parallel kernel's wrapper holds for the call
    (~0.1 ms per batch, so serializing concurrent callers costs little; each call still uses all
    of Numba's threads). Fork safety then holds for tbb and workqueue, and for omp only with
    Intel's OpenMP. The kernel time on the same data was the same under omp and workqueue
    (``tests/test_numba_env.py`` prints both).
"""
from __future__ import annotations

import os
import tempfile
import threading
import warnings

import numba
from numba import njit

__all__ = ["cached_njit", "LAUNCH_LOCK", "threading_layer_policy"]

LAUNCH_LOCK = threading.Lock()  # held around every parallel kernel launch (see the module doc)
_warned = False


def threading_layer_policy() -> str:
    """The layer fastbow asks for: ``$NUMBA_THREADING_LAYER`` if set, else ``"safe"`` with tbb, else ``"workqueue"``."""
    if os.environ.get("NUMBA_THREADING_LAYER"):
        return os.environ["NUMBA_THREADING_LAYER"]
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401  (loads only when libtbb is installed)
    except (ImportError, OSError):
        return "workqueue"
    return "safe"


def _private_cache_dir() -> str | None:
    """``<tmp>/fastbow-numba-<uid>``, created 0700 and owned by us, or None when that is impossible."""
    path = os.path.join(tempfile.gettempdir(), f"fastbow-numba-{os.getuid() if hasattr(os, 'getuid') else 0}")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
            return None  # someone else's folder, or writable by others: never load pickles from it
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return None
    return path


def cached_njit(**options):
    """``numba.njit(cache=True, **options)`` that still works when no cache folder is writable.

    Returns:
        callable: a decorator; the decorated function is a Numba dispatcher (cached on disk when
        any folder allows it, see the module doc).
    """
    def decorate(fn):
        global _warned
        try:
            return njit(cache=True, **options)(fn)
        except RuntimeError as e:
            if "cannot cache" not in str(e):
                raise
        where = _private_cache_dir()
        if where is not None:
            numba.config.CACHE_DIR = where
            try:
                dispatcher = njit(cache=True, **options)(fn)
            except RuntimeError:
                dispatcher = None
            if dispatcher is not None:
                if not _warned:
                    _warned = True
                    warnings.warn(f"no writable Numba cache beside {os.path.dirname(fn.__code__.co_filename)} or in "
                                  f"the user cache folder (read-only install or $HOME); caching compiled kernels in "
                                  f"{where} (set NUMBA_CACHE_DIR to choose)", RuntimeWarning, stacklevel=2)
                return dispatcher
        if not _warned:
            _warned = True
            warnings.warn("no writable folder for Numba's cache (read-only install, $HOME and temporary folder); "
                          "kernels are compiled in every process, which takes a few seconds "
                          "(set NUMBA_CACHE_DIR to a writable folder)", RuntimeWarning, stacklevel=2)
        return njit(**options)(fn)

    return decorate


if not os.environ.get("NUMBA_THREADING_LAYER"):
    numba.config.THREADING_LAYER = threading_layer_policy()
