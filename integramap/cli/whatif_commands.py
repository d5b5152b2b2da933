"""``integramap whatif``: try a scenario on a copy of a site and report before, after and the difference."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..analysis.layers import Layer, LayerError
from ..analysis.whatif import what_if
from ..analysis.whatif_format import format_whatif
from ..io import read_site
from ..io.scenariofile import read_scenario
from ..model import Site
from ..scenario import Scenario
from ..store import DATABASE_URL_ENV, UnknownSiteError
from ..store.scenarios import UnknownScenarioError
from . import CommandError
from .describe_commands import _emit
from .store_commands import open_store

_SITE_SUFFIXES = (".yaml", ".yml", ".json")


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``whatif`` to the ``integramap`` parser."""
    p = sub.add_parser(
        "whatif", help="try a scenario (moves, merges, splits, links) on a copy of a site",
        description="Apply a scenario file's edits to a copy of a site (never to the site itself) and "
                    "report, before and after, the straddles, gaps, double cover, nesting violations, "
                    "both coterminosity figures and unmanaged interfaces of each pair of layers, and "
                    "the typology code; then what the change gains and loses.")
    p.add_argument("site", metavar="SITE", help="a site file (.yaml, .yml, .json) or the id of a stored site")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--scenario", metavar="FILE", help="the scenario file (.yaml or .json)")
    which.add_argument("--kept", metavar="NAME",
                       help="a change kept beside the stored site (on the Map page, Try a change)")
    p.add_argument("--layers", nargs=2, metavar=("A", "B"),
                   help="the layers to compare (default: PCN-LCN, LCN-local authority and "
                        "PCN-local authority, those the site has)")
    p.add_argument("--format", choices=["text", "json", "md"], default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")
    p.add_argument("--revision", type=int, metavar="N", help="a stored site's revision (default: the latest)")
    p.add_argument("--database", metavar="URL",
                   help=f"database URL for a stored site (default: ${DATABASE_URL_ENV}, else SQLite in "
                        "$INTEGRAMAP_DATA_DIR or ./instance)")
    p.set_defaults(handler=cmd_whatif)


def load_site(args: argparse.Namespace) -> Site:
    """The site named on the command line: a file when it looks like one, else a stored site's id."""
    name = str(args.site)
    if Path(name).suffix.lower() in _SITE_SUFFIXES or Path(name).exists():
        if args.revision is not None:
            raise CommandError("--revision is for a stored site; a site file has no revisions")
        return read_site(name)
    with open_store(args) as store:
        try:
            return store.get(name, args.revision).site
        except UnknownSiteError as err:
            raise CommandError(f"{err}; SITE is a site file (.yaml, .yml, .json) or a stored site's id "
                               "(`integramap sites list`)") from None


def load_kept(args: argparse.Namespace) -> tuple[Site, Scenario]:
    """The stored site and the change kept beside it under ``--kept``."""
    if Path(str(args.site)).suffix.lower() in _SITE_SUFFIXES:
        raise CommandError("--kept names a change kept beside a stored site; give the site's id, not a file")
    site = load_site(args)
    with open_store(args) as store:
        try:
            return site, store.get_scenario(site.id, args.kept)
        except UnknownScenarioError as err:
            kept = [s.name for s in store.list_scenarios(site.id)]
            listed = ("; kept for this site: " + ", ".join(repr(k) for k in kept)) if kept else \
                "; no change is kept for this site"
            raise CommandError(f"{err}{listed}") from None


def cmd_whatif(args: argparse.Namespace) -> int:
    try:
        layers = [(Layer.parse(args.layers[0]), Layer.parse(args.layers[1]))] if args.layers else None
    except LayerError as err:
        raise CommandError(str(err)) from None
    if args.kept is not None:
        site, scenario = load_kept(args)
    else:
        scenario = read_scenario(args.scenario)  # a faulty scenario is refused before any site is read
        site = load_site(args)
    report = what_if(site, scenario, layers)
    if args.format == "json":
        text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    else:
        text = format_whatif(report, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        _emit(text, args.output)
    return 0
