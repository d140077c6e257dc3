"""The course notebook's own input pipelines, kept to be measured against fastbow.

- ``notebook.py`` — the per-item ``Dataset`` with a Python loop, and the precomputed dense rows.
- ``pipelines.py`` — the four pipelines (``notebook-naive``, ``notebook-dense``, ``scatter``, ``sparse``) built
  alike for ``python -m fastbow.profile`` and ``benchmarks/``.
"""
