"""``integramap atlas``: every ICB in England as a comparable site, from the national files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import CommandError
from .describe_commands import _emit


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``atlas`` to the ``integramap`` parser."""
    p = sub.add_parser(
        "atlas", help="every ICB's practices, PCNs, straddles and coterminosity, from the national files",
        description="Build every integrated care board as a site from the national practice → PCN "
                    "lookup (or the ODS ePCN workbook) and the ONS LSOA → local authority lookup, each "
                    "holding every PCN with a practice in it, kept whole, and report per ICB: practices, "
                    "PCNs, practices in no PCN, PCNs straddling districts and sub-ICB locations with "
                    "their splits, both coterminosity figures and the typology code.")
    p.add_argument("--practices", type=Path, metavar="FILE",
                   help="practice → PCN lookup CSV (with LSOAs) or NHS Digital's gp-reg-pat-prac-map.csv")
    p.add_argument("--epcn", type=Path, metavar="FILE", help="the ODS ePCN workbook (.xlsx)")
    p.add_argument("--epraccur", type=Path, metavar="FILE",
                   help="ODS epraccur.csv: each practice's commissioner and ICB, used with --epcn")
    p.add_argument("--lsoa-lad", type=Path, metavar="FILE", required=True,
                   help="ONS LSOA (2021) → local authority lookup CSV")
    p.add_argument("--format", choices=["text", "json", "csv", "md"], default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(handler=cmd_atlas)


def cmd_atlas(args: argparse.Namespace) -> int:
    from ..analysis.atlas import atlas
    from ..analysis.atlas_format import atlas_csv, format_atlas
    from ..io.nhs import import_nhs

    if args.practices is None and args.epcn is None:
        raise CommandError("the atlas needs the practices: give --practices FILE and/or --epcn FILE")
    site = import_nhs(practices=args.practices, epcn=args.epcn, lsoa_lad=args.lsoa_lad,
                      epraccur=args.epraccur, site_id="england", name="England")
    found = atlas(site)
    if not found.icbs:
        raise CommandError("no ICB in the files: the practices carry no ICB codes")
    if args.format == "json":
        text = json.dumps(found.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = atlas_csv(found)
    else:
        text = format_atlas(found, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        _emit(text, args.output)
    return 0
