"""Evaluation and benchmarks: the metric registry of ``translate eval`` (``metrics.py``) and its
metrics (paired, cycle, domain accuracy + its classifier, duplicates), the toy benchmark of the
adversarial objectives (``toy.py``) and ``translate bench`` (``bench.py``).
"""
