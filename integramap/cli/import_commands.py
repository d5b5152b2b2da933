"""``integramap import nhs``, ``import table`` and ``template``: starting a site from files.

Every import reads and validates everything before writing, and writes the
site file atomically: on any error nothing is written.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from . import CommandError
from ..io import format_for, write_site


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's commands to the ``integramap`` parser."""
    p = sub.add_parser("import", help="build a site file from NHS/ONS reference data or a spreadsheet",
                       description="Build a site file from NHS/ONS reference data or a spreadsheet. "
                                   "Nothing is written unless every input is valid.")
    kinds = p.add_subparsers(dest="source", metavar="SOURCE")
    kinds.required = True

    n = kinds.add_parser("nhs", help="practices, PCNs, sub-ICB locations, ICBs and local authorities",
                         description="Import the national practice → PCN lookup and/or the ODS ePCN "
                                     "workbook, and an ONS LSOA → local authority lookup, as one site.")
    n.add_argument("--practices", type=Path, metavar="FILE",
                   help="practice → PCN lookup CSV (with LSOAs) or NHS Digital's gp-reg-pat-prac-map.csv")
    n.add_argument("--epcn", type=Path, metavar="FILE", help="the ODS ePCN workbook (.xlsx)")
    n.add_argument("--epraccur", type=Path, metavar="FILE",
                   help="ODS epraccur.csv: each practice's commissioner and ICB, used with --epcn")
    n.add_argument("--lsoa-lad", type=Path, metavar="FILE", help="ONS LSOA (2021) → local authority lookup CSV")
    n.add_argument("--icb", nargs="+", metavar="CODE", help="keep only practices in these ICBs (e.g. QKK)")
    n.add_argument("--sub-icb", nargs="+", metavar="CODE",
                   help="keep only practices in these sub-ICB locations (e.g. 72Q)")
    n.add_argument("--lad", nargs="+", metavar="CODE",
                   help="keep only practices in these local authority districts (e.g. E09000022)")
    n.add_argument("--include-inactive", action="store_true",
                   help="also read ePCN relationships that have ended (the latest per practice)")
    _site_options(n)
    n.set_defaults(handler=cmd_import_nhs)

    t = kinds.add_parser("table", help="units, links and areas from CSV files or an XLSX workbook",
                         description="Import a site from the spreadsheet template (see `integramap "
                                     "template`): an XLSX workbook, or CSV files named units, links, "
                                     "areas and site.")
    t.add_argument("files", nargs="+", type=Path, metavar="FILE", help="an .xlsx workbook or .csv files")
    _site_options(t)
    t.set_defaults(handler=cmd_import_table)

    p = sub.add_parser("template", help="write the spreadsheet template for `integramap import table`",
                       description="Write the spreadsheet template: an XLSX workbook (FILE.xlsx) with "
                                   "units, links, areas, site and README sheets, or a folder of CSV files.")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.xlsx|DIR")
    p.add_argument("--force", action="store_true", help="replace files that already exist")
    p.set_defaults(handler=cmd_template)


def _site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, type=Path, metavar="SITE.yaml",
                   help="the site file to write (.yaml, .yml or .json)")
    p.add_argument("--id", dest="site_id", metavar="ID", help="the site's id (default: from the file name)")
    p.add_argument("--name", metavar="NAME", help="the site's name")


def site_id_for(path: Path) -> str:
    """A valid site id from an output file name.

    Examples
    --------
    >>> site_id_for(Path("out/South East London.yaml"))
    'south-east-london'
    >>> site_id_for(Path("__.yaml"))
    'site'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug[:100] or "site"


def cmd_import_nhs(args: argparse.Namespace) -> int:
    from ..io.nhs import import_nhs, import_summary

    format_for(args.output)  # a wrong suffix fails before minutes of reading
    if args.practices is None and args.epcn is None and args.lsoa_lad is None:
        raise CommandError("nothing to import: give --practices FILE, --epcn FILE and/or --lsoa-lad FILE")
    if args.epraccur is not None and args.epcn is None:
        raise CommandError("--epraccur is used with --epcn (it gives the ePCN's practices their sub-ICB "
                           "location and ICB); give --epcn FILE too")
    kwargs = {}
    if args.name:
        kwargs["name"] = args.name
    site = import_nhs(practices=args.practices, epcn=args.epcn, lsoa_lad=args.lsoa_lad, icb=args.icb,
                      sub_icb=args.sub_icb, lad=args.lad, include_inactive=args.include_inactive,
                      site_id=args.site_id or site_id_for(args.output), epraccur=args.epraccur, **kwargs)
    write_site(site, args.output)
    print(f"wrote {args.output}: {import_summary(site)}")
    return 0


def cmd_import_table(args: argparse.Namespace) -> int:
    from ..io.table import import_table, table_summary

    format_for(args.output)
    site = import_table(args.files, site_id=args.site_id, name=args.name)
    write_site(site, args.output)
    print(f"wrote {args.output}: {table_summary(site)}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..io.template import write_template

    out: Path = args.output
    written = write_template(out, overwrite=args.force)
    print(f"wrote the template: {', '.join(str(p) for p in written)}")
    return 0
