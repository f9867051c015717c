"""Benchmarks of the course's machinery: ``python -m bench.run`` (``make bench``).

See ``bench/RESULTS.md`` for the latest figures and ``bench/run.py`` for the entry point.
"""
