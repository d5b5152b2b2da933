"""``integramap sites …``: the sites and revisions in the store, from the command line."""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import datetime
from pathlib import Path

from ..io import read_site, write_site
from ..io.sitefile import format_for
from ..model import SiteError
from ..store import DATABASE_URL_ENV, ConflictError, Store, StoreError, UnknownSiteError
from ..wording import plural
from . import CommandError


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``integramap sites`` and its commands to the ``integramap`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL",
                        help=f"database URL (default: ${DATABASE_URL_ENV}, else SQLite in "
                             "$INTEGRAMAP_DATA_DIR or ./instance)")

    sites = sub.add_parser("sites", help="list, export, import and restore the sites in the store",
                           description="The sites in the store and their revisions.")
    commands = sites.add_subparsers(dest="sites_command", metavar="COMMAND")
    commands.required = True

    p = commands.add_parser("list", parents=[common], help="every stored site with its latest revision")
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("history", parents=[common], help="every revision of a site, newest first")
    p.add_argument("site", metavar="SITE", help="site id")
    p.set_defaults(handler=cmd_history)

    p = commands.add_parser("export", parents=[common], help="write a revision of a site to a file")
    p.add_argument("site", metavar="SITE", help="site id")
    p.add_argument("--revision", type=int, metavar="N", help="revision number (default: the latest)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="file to write; .yaml, .yml or .json")
    p.set_defaults(handler=cmd_export)

    p = commands.add_parser("import", parents=[common],
                            help="store a site file: a new site, or a new revision of an existing one")
    p.add_argument("file", metavar="FILE", help="site file (.yaml, .yml, .json)")
    p.add_argument("--author", help="who is saving (default: your login name)")
    p.add_argument("--message", help="why (default: 'Imported from FILE')")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("restore", parents=[common],
                            help="make an old revision the latest again, as a new revision")
    p.add_argument("site", metavar="SITE", help="site id")
    p.add_argument("revision", type=int, metavar="N", help="the revision to bring back")
    p.add_argument("--author", help="who is restoring (default: your login name)")
    p.add_argument("--message", help="why (default: 'Restored revision N')")
    p.set_defaults(handler=cmd_restore)


def open_store(args: argparse.Namespace) -> Store:
    """The store named by ``--database``, else by the environment."""
    try:
        return Store(args.database) if args.database else Store.from_env()
    except StoreError as err:
        raise CommandError(str(err)) from None
    except Exception as err:  # a malformed URL or a missing driver, named by SQLAlchemy
        raise CommandError(f"cannot open the database: {err}") from None


def _author(args: argparse.Namespace) -> str:
    if args.author and args.author.strip():
        return str(args.author)
    return login_name()


def login_name() -> str:
    """Who is running the command, as the operating system names them."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still say something
        return os.environ.get("USER") or "unknown"


def when(moment: datetime) -> str:
    """A moment as the command line prints it, to the minute in UTC."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _size(units: int, links: int) -> str:
    return f"{plural(units, 'unit')}, {plural(links, 'link')}"


def table(rows: list[list[str]]) -> str:
    """Rows of cells as aligned columns, the first row being the headings."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        sites = store.list_sites()
        where = store.describe()
    if not sites:
        print(f"no sites in {where}; `integramap sites import FILE` adds one")
        return 0
    rows = [["ID", "NAME", "REVISION", "SAVED", "BY", "UNITS", "LINKS"]]
    rows += [[s.id, s.name, str(s.latest), when(s.updated_at), s.author, str(s.units), str(s.links)]
             for s in sites]
    print(table(rows))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            history = store.history(args.site)
        except UnknownSiteError as err:
            raise CommandError(err.command_line) from None
    rows = [["REVISION", "BASE", "SAVED", "BY", "UNITS", "LINKS", "MESSAGE"]]
    rows += [[str(r.number), "-" if r.base is None else str(r.base), when(r.created_at), r.author,
              str(r.units), str(r.links), r.message] for r in history]
    print(table(rows))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    output = Path(args.output)
    fmt = format_for(output)  # refuse an unknown suffix before touching the database
    with open_store(args) as store:
        try:
            revision = store.get(args.site, args.revision)
        except UnknownSiteError as err:
            raise CommandError(err.command_line) from None
    try:
        write_site(revision.site, output, fmt)
    except OSError as err:
        raise CommandError(f"cannot write {output}: {err.strerror or err}") from None
    print(f"{output}: site {revision.site_id!r} revision {revision.number} "
          f"({_size(revision.units, revision.links)})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    site = read_site(path)  # a SiteError names every fault; nothing is stored
    message = args.message or f"Imported from {path.name}"
    author = _author(args)
    with open_store(args) as store:
        try:
            base = store.latest(site.id) if store.exists(site.id) else None
            if base is not None and store.get(site.id, base).site == site:
                print(f"site {site.id!r} ({site.name}): revision {base} already holds this document; "
                      "nothing imported")
                return 0
            info = store.save(site, author=author, message=message, base=base)
        except ConflictError as err:
            raise CommandError(f"{err}; nothing was imported, run the import again") from None
        except ValueError as err:
            raise CommandError(str(err)) from None
    if base is None:
        print(f"new site {info.site_id!r} ({info.name}): revision 1; {_size(info.units, info.links)}")
    else:
        print(f"site {info.site_id!r} ({info.name}): new revision {info.number}, based on revision {base}; "
              f"{_size(info.units, info.links)}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            info = store.restore(args.site, args.revision, author=_author(args), message=args.message)
        except UnknownSiteError as err:
            raise CommandError(err.command_line) from None
        except (ConflictError, SiteError) as err:
            raise CommandError(str(err)) from None
        except ValueError as err:
            raise CommandError(str(err)) from None
    print(f"site {info.site_id!r}: revision {args.revision} restored as revision {info.number}")
    return 0
