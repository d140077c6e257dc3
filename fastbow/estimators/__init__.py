"""Estimators: scikit-learn-style objects on in-memory texts, built on the stages below.

- ``params.py`` — ``get_params``/``set_params``/``repr`` by scikit-learn's rules, without importing it.
- ``console.py`` — what a notebook user sees during ``fit``: one line per epoch, progress bars, ``verbose``.
- ``vectorizer.py`` — :class:`~fastbow.estimators.vectorizer.BowVectorizer`: texts → ``scipy.sparse`` multi-hot rows.
- ``classifier.py`` — :class:`~fastbow.estimators.classifier.BowClassifier`: ``fit(texts, y)``, ``predict``,
  ``predict_proba``, ``score``, ``save``/``load`` in the run-folder format of ``python -m fastbow.predict``.
"""
