"""What a run shows a person besides its log lines.

- ``summary.py`` — the parameter table per layer (``--summary``; SEED.md exercise IV).
- ``plots.py`` — PNG plots of training curves and sweeps, written atomically.
- ``confusion.py`` — the confusion matrix as a PNG (``python -m fastbow.evaluate --plot``).
"""
