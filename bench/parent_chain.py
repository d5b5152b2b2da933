"""Benchmark: validating a site whose units form one long parent chain, or one long loop.

Run as ``.venv/bin/python bench/parent_chain.py [--units N] [--repeat R] [--check]``.

Ours: :func:`integramap.io.parse_site` (what ``integramap validate`` and the
browser upload run: JSON parsing, then validation) on a site of ``N`` teams, each the
parent of the next (a valid chain); the same chain with a link from the deepest
team to the top one (a link to its own ancestor, which validation reports with
its line); and the same ``N`` units closed into one loop (every unit reported).

Baseline: networkx on the same parent graph: ``is_directed_acyclic_graph`` (a
topological sort, one linear pass), the least any loop check can do. (networkx's
``find_cycle`` is no baseline: it takes minutes on a 2,000-unit chain.)

Prints both times (best of ``--repeat``) and, as its last line, ``ratio
<ours/networkx>`` for the chain. Targets: the 10,000-unit chain validates in
under 1 s; ``--check`` exits 1 when it does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0


def chain_site(n: int, loop: bool, link: bool = True) -> dict[str, Any]:
    """Plain site data: ``u0`` contains ``u1`` … contains ``u{n-1}``; closed when ``loop``."""
    units = [{"id": f"u{i}", "name": f"Team {i}", "kind": "team",
              **({"parent": f"u{i - 1}"} if i else ({"parent": f"u{n - 1}"} if loop else {}))}
             for i in range(n)]
    links = [{"id": "deep-top", "source": f"u{n - 1}", "target": "u0", "level": "interface"}] if link else []
    return {"id": "chain", "name": "Chain", "units": units, "links": links}


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(data: dict[str, Any]) -> int:
    from integramap.io import parse_site
    from integramap.model import SiteError

    try:
        parse_site(json.dumps(data), "json")
    except SiteError as err:
        return len(err.problems)
    return 0


def baseline(data: dict[str, Any]) -> int:
    import networkx as nx

    g = nx.DiGraph((u["id"], u["parent"]) for u in data["units"] if "parent" in u)
    return 0 if nx.is_directed_acyclic_graph(g) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    import networkx  # noqa: F401 - imports excluded from both timings
    import integramap.model  # noqa: F401

    n = args.units
    valid, faulty, loop = chain_site(n, False, link=False), chain_site(n, False), chain_site(n, True)
    found = ours(valid), ours(faulty), ours(loop)
    if found != (0, 1, n):
        print(f"unexpected problems: {found}; expected (0, 1, {n})")
        return 1
    t_chain = best(lambda: ours(valid), args.repeat)
    t_faulty, t_loop = best(lambda: ours(faulty), args.repeat), best(lambda: ours(loop), args.repeat)
    t_base = best(lambda: baseline(valid), args.repeat)
    print(f"{n:,}-unit chain: valid {t_chain:.3f} s; with a link to an ancestor {t_faulty:.3f} s; "
          f"closed into a loop {t_loop:.3f} s")
    print(f"networkx is_directed_acyclic_graph on the chain: {t_base:.3f} s")
    print(f"ratio {t_chain / t_base:.1f}")
    return 1 if args.check and t_chain > TARGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
