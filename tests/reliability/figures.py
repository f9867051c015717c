"""This worker's reliability figures, counted by the tests and written out by ``conftest.py``."""

from collections import Counter

FIGURES: Counter = Counter()
