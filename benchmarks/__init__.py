"""Benchmarks of the whole portal, run on local processes with the full sample catalog (`make bench-search`).

`stack` starts and indexes the portal, `figures` turns timings into statistics and reports, and each benchmark is
a module with a `main` (`python -m benchmarks.search`).
"""
