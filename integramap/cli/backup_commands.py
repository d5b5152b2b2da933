"""``integramap backup`` and ``restore-backup``: a copy of the whole store, and bringing one back."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..store import StoreError
from ..store.backup import backup, restore_backup
from ..wording import plural
from . import CommandError
from .store_commands import open_store


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``backup`` and ``restore-backup`` to the ``integramap`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL", help="database URL (default: as `integramap sites`)")

    p = sub.add_parser("backup", parents=[common], help="copy the whole store to one file, while the app runs",
                       description="Copy every site and revision to FILE with SQLite's online backup, safe "
                                   "while the app runs. For PostgreSQL, use pg_dump.")
    p.add_argument("file", type=Path, metavar="FILE", help="the backup file to write (e.g. integramap-backup.db)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore-backup", parents=[common], help="replace the store with a backup",
                       description="Replace every site and revision in the store with those in a backup "
                                   "made by `integramap backup`. Stop the app first.")
    p.add_argument("file", type=Path, metavar="FILE", help="a backup written by `integramap backup`")
    p.add_argument("--replace", action="store_true", help="replace a store that already holds sites")
    p.set_defaults(handler=cmd_restore_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            written = backup(store, args.file)
            count = len(store.list_sites())
        except StoreError as err:
            raise CommandError(str(err)) from None
    print(f"wrote {written}: {plural(count, 'site')} with every revision")
    return 0


def cmd_restore_backup(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            count = restore_backup(store, args.file, replace=args.replace)
        except StoreError as err:
            raise CommandError(str(err)) from None
        where = store.describe()
    print(f"restored {plural(count, 'site')} from {args.file} into {where}")
    return 0
