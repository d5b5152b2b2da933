"""``integramap validate``, ``schema`` and ``info``: checking and inspecting site files."""

from __future__ import annotations

import argparse
import json
import sys

from ..analysis.summary import format_summary, summarise
from ..io import read_site
from ..model import Site, SiteError
from ..wording import plural


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's commands to the ``integramap`` parser."""
    p = sub.add_parser("validate", help="check site files; exit 0 when all are valid")
    p.add_argument("files", nargs="+", metavar="FILE", help="site files (.yaml, .yml, .json)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the faults")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a site file")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("info", help="counts of a site's units by kind and sector, links by level")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_info)


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            site = read_site(name)
        except SiteError as err:
            failed += 1
            print(err.render(), file=sys.stderr)
            continue
        if not args.quiet:
            print(f"{name}: ok ({plural(len(site.units), 'unit')}, {plural(len(site.links), 'link')}, "
                  f"{plural(len(site.areas), 'area')})")
    if failed and len(args.files) > 1:
        print(f"{failed} of {len(args.files)} files are not valid", file=sys.stderr)
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(Site.model_json_schema(), indent=2))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    summary = summarise(read_site(args.file))
    if args.format == "json":
        print(summary.model_dump_json(indent=2))
    else:
        print(format_summary(summary))
    return 0
