"""The ``integramap`` command.

Each command group lives in its own module ``integramap/cli/*_commands.py``
with a ``register(subparsers)`` function; they are found by name, so adding a
command never means editing a long central file.
"""

from __future__ import annotations

import argparse
import importlib
import io
import pkgutil
import sys
from collections.abc import Sequence
from typing import TextIO

from .. import __version__
from ..io.safe_text import terminal_text
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
    """Run the command line; returns the exit code (0 ok, 1 bad input, 2 bad usage).

    Everything printed passes through :func:`~integramap.io.safe_text.terminal_text`:
    a name holding an escape code is shown, not obeyed. A file that cannot be read or
    written is one line naming it, never a traceback.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(out), _TerminalSafe(err)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None) -> int:
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
    except OSError as err:  # a file named on the command line: unreadable, unwritable, a folder, a device
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    except RecursionError:  # the readers refuse deep nesting first; this is the last guard
        print("error: the input is nested too deeply to read", file=sys.stderr)
        return 1


class _TerminalSafe(io.TextIOBase):
    """A text stream that escapes control characters before they reach the terminal."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", "utf-8")


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
