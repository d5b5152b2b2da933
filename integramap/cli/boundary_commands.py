"""``integramap boundaries``: where two layers' footprints do not line up."""

from __future__ import annotations

import argparse
import json
import sys

from ..analysis.boundaries import DEFAULT_THRESHOLD, analyse
from ..analysis.boundary_format import format_report, report_csv
from ..analysis.layers import Layer, LayerError
from ..io import read_site, write_text_atomic
from . import CommandError


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, e.g. 0.05; got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, e.g. 0.05; got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 for all; got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 for all; got {text!r}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``boundaries`` to the ``integramap`` parser."""
    p = sub.add_parser(
        "boundaries", help="find boundary mismatches between two layers (straddles, gaps, double cover…)",
        description="Compare the footprints of two layers of a site. A layer is WORD[:SECTOR[:FUNCTION]], "
                    "where WORD is a unit kind (pcn, lcn, place, system, team, practice…) or an org type "
                    "(local_authority, nhs_trust…), e.g. pcn, local_authority, team:mental_health:psychosis.")
    p.add_argument("site", metavar="SITE", help="site file (.yaml, .yml, .json)")
    p.add_argument("--layers", nargs=2, required=True, metavar=("A", "B"),
                   help="the two layers: straddles are of A's units over B's")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--threshold", type=_share, default=DEFAULT_THRESHOLD, metavar="X",
                   help="unmanaged interfaces: least shared population, as a share of the smaller "
                        f"unit's (default {DEFAULT_THRESHOLD})")
    p.add_argument("--limit", type=_count, default=25, metavar="N",
                   help="text format: findings shown per section besides straddles (default 25, 0 = all)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(handler=cmd_boundaries)


def cmd_boundaries(args: argparse.Namespace) -> int:
    try:
        layers = [Layer.parse(spec) for spec in args.layers]
    except LayerError as err:
        raise CommandError(str(err)) from None
    site = read_site(args.site)
    report = analyse(site, layers[0], layers[1], threshold=args.threshold)
    if args.format == "json":
        text = json.dumps(report.model_dump(mode="json"), indent=2) + "\n"
    elif args.format == "csv":
        text = report_csv(report)
    else:
        text = format_report(report, limit=args.limit) + "\n"
    for layer, count in ((layers[0], report.units_a), (layers[1], report.units_b)):
        if count == 0:
            print(f"note: {args.site} has no units in layer {layer} ({layer.label})", file=sys.stderr)
    if args.output:
        try:
            write_text_atomic(args.output, text)
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return 0
