"""Bounds on every file IntegraMap reads: size on disk, size unpacked, length of a cell.

A file built to hurt (a 100 KB workbook that unpacks to gigabytes, a device
such as ``/dev/zero`` given as a file, one cell of a hundred million
characters) must be refused in seconds and in little memory, with a message
that names the limit and how to split the file. The readers call these
checks before parsing; each raises :class:`LimitError`, whose message the
reader puts in its own error type with the file's name.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path

MAX_CELL_CHARS = 32_767
"""Excel's own limit on the characters in one cell."""

MAX_WORKBOOK_UNPACKED = 256 * 1024 * 1024
"""Largest total size of a workbook's parts once unpacked (the national ePCN workbook is 5 MB)."""

MAX_PACKING_RATIO = 100
"""A part over 1 MB that unpacks to more than this many times its packed size is refused.
Real sheets pack about 10 to 1; a zip bomb packs a thousand to one or more."""

_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
# A cell's text is escaped in XML (an ampersand is five bytes, a character reference up to ten):
# a run this long between two tags is longer than any cell Excel can hold.
_LONG_RUN_BYTES = MAX_CELL_CHARS * 10
_LONG_RUN = re.compile(rb"[^<]{%d,}" % _LONG_RUN_BYTES)


class LimitError(ValueError):
    """A file over one of the limits; the message says which, and how to split the file."""


def megabytes(size: int) -> str:
    """A size for people.

    Examples
    --------
    >>> megabytes(105_000), megabytes(268_435_456)
    ('0.1 MB', '268 MB')
    """
    return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"


def read_limited(path: Path, limit: int, split: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, never reading more than that.

    ``split`` ends the message for a file that is too large: how to make it smaller.
    ``OSError`` is left to the caller, which names the file.

    Examples
    --------
    >>> read_limited(Path("/dev/zero"), 10, "split it")
    Traceback (most recent call last):
    ...
    integramap.io.limits.LimitError: this is a device, not a file; expected a file saved on disk
    """
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise LimitError("this is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise LimitError("this is a device, not a file; expected a file saved on disk")
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)  # the size on disk can change between stat and read: read no more
    if len(raw) > limit:
        raise LimitError(f"the file is over {megabytes(limit)}, the most read from one file; {split}")
    return raw


def check_workbook(path: Path) -> None:
    """Refuse a workbook that unpacks too large, packs like a zip bomb, or holds an over-long cell.

    The zip's directory is checked first (no unpacking); then every XML part is
    unpacked a chunk at a time, never held whole, checking that what it really
    holds matches the directory and that no run of text is longer than a cell
    can be. ``zipfile.BadZipFile`` is left to the caller.
    """
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
        total = sum(p.file_size for p in parts)
        split = ("split the workbook into smaller ones (for example one per sheet, or one per area) "
                 "and import each")
        if total > MAX_WORKBOOK_UNPACKED:
            raise LimitError(f"the workbook unpacks to {megabytes(total)}, over the {megabytes(MAX_WORKBOOK_UNPACKED)} "
                             f"limit; {split}")
        for part in parts:
            if part.file_size > _RATIO_FLOOR and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1):
                raise LimitError(f"one part of the workbook unpacks to {megabytes(part.file_size)} "
                                 f"from {megabytes(part.compress_size)}, over {MAX_PACKING_RATIO} to 1: not a "
                                 f"workbook saved by a spreadsheet program; {split}")
        for part in parts:
            if part.filename.lower().endswith((".xml", ".rels", ".vml")):
                _scan_part(archive, part)


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    run = 0  # bytes since the last '<', carried across chunks
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            first = chunk.find(b"<")
            if first == -1:
                run += len(chunk)
            else:
                run += first
                if run < _LONG_RUN_BYTES and _LONG_RUN.search(chunk) is None:
                    run = len(chunk) - chunk.rfind(b"<") - 1
                    continue
                run = _LONG_RUN_BYTES
            if run >= _LONG_RUN_BYTES:
                raise LimitError(f"a cell holds more than {MAX_CELL_CHARS:,} characters, Excel's own limit; "
                                 "shorten that cell, or split its text over several cells")
