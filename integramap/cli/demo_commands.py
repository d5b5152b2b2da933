"""``integramap demo``: build a real case from public reference files in one command.

Everything is found and built before anything is written; the site file is
written atomically, and ``--save`` stores it only once it is built.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shlex
import sys
from pathlib import Path

from ..demo import (
    DEMOS,
    DemoDataError,
    UnknownDemoError,
    build_demo,
    find_demo_files,
    get_demo,
    summarise_demo,
)
from ..io import format_for, write_site
from ..io.geometry import GeometryError
from ..model import Site
from ..store import DATABASE_URL_ENV, ConflictError
from . import CommandError
from .store_commands import open_store


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``integramap demo`` to the ``integramap`` parser."""
    names = ", ".join(sorted(DEMOS))
    p = sub.add_parser(
        "demo", help="build a real case (e.g. south-east-london) from public NHS and ONS files",
        description="Without a NAME, list the demos. With one, build its site on this computer from the "
                    "public reference files (looked for in --data-dir, else $INTEGRAMAP_REFERENCE_DATA, "
                    "./data and ../shared/data; or give each file), write it to a site file and, with "
                    f"--save, store it for the app. Demos: {names}.")
    p.add_argument("name", nargs="?", metavar="NAME", help="the demo to build")
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="folder holding nhs-reference/ and geo/ (only this folder is searched)")
    p.add_argument("--practices", type=Path, metavar="FILE", help="practice → PCN lookup CSV with LSOAs")
    p.add_argument("--lsoa-lad", type=Path, metavar="FILE", help="ONS LSOA (2021) → local authority lookup CSV")
    p.add_argument("--lsoa-geo", type=Path, metavar="DIR",
                   help="folder of LSOA 2021 boundaries, one GeoJSON per borough (E09000022.geojson)")
    p.add_argument("--ward-geo", type=Path, metavar="DIR", help="folder of ward boundaries, one GeoJSON per borough")
    p.add_argument("-o", "--output", type=Path, metavar="SITE.yaml",
                   help="the site file to write (default: NAME.yaml in this folder)")
    p.add_argument("--force", action="store_true", help="replace the site file if it exists")
    p.add_argument("--save", action="store_true", help="also store the site as a new revision, for the app")
    p.add_argument("--database", metavar="URL",
                   help=f"with --save: database URL (default: ${DATABASE_URL_ENV}, else SQLite in "
                        "$INTEGRAMAP_DATA_DIR or ./instance)")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.name:
        for name, demo in sorted(DEMOS.items()):
            print(f"{name}: {demo.title}")
            print(f"  {demo.description}")
        print("\nBuild one with: integramap demo NAME")
        return 0
    try:
        name = get_demo(args.name).name
    except UnknownDemoError as err:
        raise CommandError(str(err)) from None
    output: Path = args.output or Path(f"{name}.yaml")
    # Refuse what would fail at the end before any reading: nothing is written on error.
    format_for(output)
    if output.exists() and not args.force:
        raise CommandError(f"{output} already exists; give --force to replace it, or -o FILE for another file")
    if not output.absolute().parent.is_dir():
        raise CommandError(f"cannot write {output}: the folder {output.absolute().parent} does not exist")
    try:
        files = find_demo_files(args.data_dir, demo=name, practices=args.practices,
                                lsoa_lad=args.lsoa_lad, lsoa_geo=args.lsoa_geo, ward_geo=args.ward_geo)
        site = build_demo(name, files, progress=_Progress())
    except (DemoDataError, GeometryError) as err:
        raise CommandError(str(err)) from None
    finally:
        _Progress.end()
    saved = _save(site, args) if args.save else None
    try:
        write_site(site, output)
    except OSError as err:
        kept = f"; the site was saved in the store ({saved})" if saved else ""
        raise CommandError(f"cannot write {output}: {err.strerror or err}{kept}") from None
    print(f"wrote {output}")
    if saved:
        print(saved)
    for line in summarise_demo(site).lines():
        print(line)
    print("\nNext: integramap boundaries " + shlex.quote(str(output)) + " --layers pcn local_authority")
    print("  or: make run, open the site in the app and go to its Boundaries page")
    return 0


class _Progress:
    """Progress on stderr (one line, rewritten, on a terminal): scripts read stdout."""

    def __call__(self, fraction: float, message: str) -> None:
        if sys.stderr.isatty():
            print(f"\r[{fraction:4.0%}] {message}\033[K", end="", file=sys.stderr, flush=True)
        else:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    @staticmethod
    def end() -> None:
        if sys.stderr.isatty():
            print(file=sys.stderr)


def _save(site: Site, args: argparse.Namespace) -> str:
    author = _login()
    with open_store(args) as store:
        try:
            base = store.latest(site.id) if store.exists(site.id) else None
            if base is not None and store.get(site.id, base).site == site:
                return f"site {site.id!r}: revision {base} in {store.describe()} already holds this; nothing saved"
            info = store.save(site, author=author, message=f"Built by `integramap demo {site.id}`", base=base)
            where = store.describe()
        except ConflictError as err:
            raise CommandError(f"{err}; nothing was saved, run the command again") from None
    return f"saved site {info.site_id!r} as revision {info.number} in {where}"


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still say something
        return os.environ.get("USER") or "unknown"
