"""fastbow: multi-hot bag-of-words text classification for PyTorch.

The data path, one module per step::

    reader → tokenize → vocab → csr (+ prepare: cached) → sampler
           → fastbow.kernels (scatter) → loader → model → train

The kernels are in the repository's top-level ``kernels/`` folder, installed
as ``fastbow.kernels`` (see ``setup.py``).
"""
__version__ = "0.1.0"
