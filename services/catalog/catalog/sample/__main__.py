"""Write a sample catalog as JSON lines, for scale tests:

    python -m catalog.sample --items 100000 [--seed 2012] > catalog.jsonl

One object per line, {"kind": "department" | "unit" | "item", "data": {...}}: first the departments, then the
units, then the items. Generation time goes to stderr.
"""

import argparse
import json
import sys
import time

from catalog.sample.generator import build_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=7200, help="number of items (default 7200)")
    parser.add_argument("--seed", type=int, default=2012, help="random seed (default 2012)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        catalog = build_catalog(seed=args.seed, item_count=args.items)
    except ValueError as error:
        parser.error(str(error))
    out = sys.stdout
    for kind, rows in (("department", catalog.departments), ("unit", catalog.units), ("item", catalog.items)):
        for row in rows:
            out.write(json.dumps({"kind": kind, "data": row}, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    out.flush()
    print(f"{args.items} items in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
