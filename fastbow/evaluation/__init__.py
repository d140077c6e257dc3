"""Evaluation stage: how good a trained model is on labelled data, and what it predicts.

- ``report.py`` — per-class precision/recall/F1 with support, macro and weighted averages, the
  confusion matrix, from predicted and true class ids (scikit-learn's definitions).
- ``scoring.py`` — one pass of a model over a labelled split: loss, accuracy, perplexity and the report.
- ``evalset.py`` — which documents ``python -m fastbow.evaluate`` reads (an archive's test split, a whole
  table) and their encoding with a run's vocabulary.
- ``predictions.py`` — probabilities → prediction records (argmax or binary threshold, top-k), as CSV or JSON Lines.
"""
