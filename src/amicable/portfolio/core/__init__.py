"""The pure core of the portfolio context: parsing and validating placement files.

Nothing in here imports Django, so it can be unit-tested without a database and reused by the
CLI, the upload page and the benchmarks alike.
"""
