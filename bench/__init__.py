"""Benchmarks of the course's machinery, written as pytest tests: ``make bench``.

``pytest bench --smoke`` runs each once at a small N; ``bench/RESULTS.md`` has the figures.
"""
