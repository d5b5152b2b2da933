"""``integramap describe``, ``compare`` and ``export``: the typology descriptor, comparisons, graph files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..analysis.compare import compare_sites
from ..analysis.typology import TypologyDescriptor, describe_site, descriptor_json_schema
from ..analysis.typology_code import EXPLANATION
from ..io import read_site, write_text_atomic
from ..model import Site
from . import CommandError

DESCRIBE_FORMATS = ("md", "json", "docx")
COMPARE_FORMATS = ("md", "json")
EXPORT_FORMATS = ("graphml", "gexf", "csv", "xlsx")
_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".json": "json", ".docx": "docx"}


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's commands to the ``integramap`` parser."""
    p = sub.add_parser("describe", help="the typology descriptor of a site (Markdown, JSON or Word)",
                       description="Describe a site's integration model: basis, populations, sectors, "
                                   "depth, breadth, Rainbow model, boundary alignment, ambition, "
                                   "structural challenges and the typology code.")
    p.add_argument("file", metavar="SITE", nargs="?", help="site file (.yaml, .yml, .json)")
    p.add_argument("--format", choices=DESCRIBE_FORMATS,
                   help="output format (default: from the -o suffix, else md); docx needs -o")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")
    p.add_argument("--no-figures", action="store_true",
                   help="leave out the map and figures that a Word or Markdown file (-o) otherwise holds")
    p.add_argument("--explain-code", action="store_true", help="explain the typology code's grammar")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of --format json")
    p.set_defaults(handler=cmd_describe)

    p = sub.add_parser("compare", help="compare two or more sites, or two versions of one site",
                       description="Descriptors side by side, similarity scores with their components, "
                                   "the highest level joining each pair of sectors, and (for two "
                                   "versions of one site) what changed.")
    p.add_argument("files", nargs="+", metavar="SITE", help="two or more site files")
    p.add_argument("--format", choices=COMPARE_FORMATS,
                   help="output format (default: from the -o suffix, else md)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser("export", help="a site's graph as GraphML, GEXF, CSV tables or an XLSX workbook",
                       description="GraphML opens in yEd and Cytoscape, GEXF in Gephi (both carry "
                                   "text without control characters; they are for viewing, not for "
                                   "importing back); CSV writes units.csv, links.csv, areas.csv and "
                                   "site.csv into the folder PATH, xlsx the same tables as sheets of a "
                                   "workbook: both import back exactly with `integramap import table PATH`.")
    p.add_argument("file", metavar="SITE", help="site file (.yaml, .yml, .json)")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", metavar="PATH", required=True,
                   help="the file to write (a folder for csv)")
    p.set_defaults(handler=cmd_export)


def _format(args: argparse.Namespace, allowed: tuple[str, ...]) -> str:
    if args.format:
        return str(args.format)
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if suffix in _SUFFIX_FORMATS and _SUFFIX_FORMATS[suffix] in allowed:
            return _SUFFIX_FORMATS[suffix]
    return "md"


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            write_text_atomic(output, text)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_describe(args: argparse.Namespace) -> int:
    if args.explain_code:
        _emit(EXPLANATION, args.output)
        return 0
    if args.schema:
        _emit(json.dumps(descriptor_json_schema(), indent=2), args.output)
        return 0
    if not args.file:
        raise CommandError("describe needs a SITE file (or --explain-code or --schema)")
    fmt = _format(args, DESCRIBE_FORMATS)
    if fmt == "docx" and not args.output:
        raise CommandError("--format docx writes a Word file; give its name with -o FILE.docx")
    site = read_site(args.file)
    descriptor = describe_site(site)
    if fmt == "json":
        _emit(descriptor.model_dump_json(indent=2), args.output)
    elif fmt == "docx" or args.output:
        _write_paper(site, descriptor, fmt, args.output, figures=not args.no_figures)
    else:
        from ..io.export_markdown import descriptor_to_markdown

        _emit(descriptor_to_markdown(descriptor), args.output)
    return 0


def _write_paper(site: Site, descriptor: TypologyDescriptor, fmt: str, output: str, figures: bool) -> None:
    """A board paper file (Word or Markdown), with the map and figures unless asked not to."""
    from ..io.board_pictures import board_pictures
    from ..io.export_docx import write_descriptor_docx
    from ..io.export_markdown import write_descriptor_markdown

    pictures = board_pictures(site, descriptor) if figures else None
    try:
        if fmt == "docx":
            written = [write_descriptor_docx(descriptor, output, pictures)]
        else:
            written = write_descriptor_markdown(descriptor, output, pictures)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    if pictures is not None and pictures.left_out:
        print(pictures.note()[0].lower() + pictures.note()[1:], file=sys.stderr)


def cmd_compare(args: argparse.Namespace) -> int:
    if len(args.files) < 2:
        raise CommandError("compare needs two or more SITE files")
    sites = [read_site(name) for name in args.files]
    # Two versions of one site share an id, so the files' names tell them apart.
    ids = [s.id for s in sites]
    labels = ids if len(set(ids)) == len(ids) else [Path(name).stem for name in args.files]
    comparison = compare_sites(sites, labels=labels)
    fmt = _format(args, COMPARE_FORMATS)
    if fmt == "json":
        _emit(comparison.model_dump_json(indent=2), args.output)
    else:
        from ..io.export_markdown import comparison_to_markdown

        _emit(comparison_to_markdown(comparison), args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..io.export_graph import write_csv_tables, write_gexf, write_graphml
    from ..io.export_workbook import write_workbook

    site = read_site(args.file)
    try:
        if args.format == "csv":
            written = write_csv_tables(site, args.output)
        elif args.format == "xlsx":
            try:
                written = [write_workbook(site, args.output)]
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        elif args.format == "gexf":
            written = [write_gexf(site, args.output)]
        else:
            written = [write_graphml(site, args.output)]
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0
