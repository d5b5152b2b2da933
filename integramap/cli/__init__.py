"""The ``integramap`` command.

Each command group lives in its own module ``integramap/cli/*_commands.py``
with a ``register(subparsers)`` function; they are found by name, so adding a
command never means editing a long central file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from .. import __version__
from ..model import SiteError



def command_modules() -> list[str]:
    """The command modules of this package, in name order (so ``--help`` is stable)."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)
                  if m.name.endswith("_commands"))


class CommandError(Exception):
    """A failure to report to the user as one clean message (exit code 1)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="integramap",
        description="Map, check and compare health and social care integration models.",
    )
    parser.add_argument("--version", action="version", version=f"integramap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 bad usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except SiteError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except CommandError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `integramap info … | head`
        return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
