"""Benchmarks of the whole portal, run on local processes (`make bench`, `python -m benchmarks.bench`).

`stack` starts and indexes the portal, `targets` are where load goes (the portal's paths and their yardsticks),
`load` is the closed-loop generator, `documents` builds and bulk-loads index documents without the catalog,
`memory` samples RSS, `figures` and `report` turn timings into statistics, the table and benchmarks/RESULTS.md.
"""
