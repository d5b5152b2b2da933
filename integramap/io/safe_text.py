"""Making user text safe to put in spreadsheets and Markdown.

Names and notes in a site are typed by people, and exports are opened by
other people in spreadsheet programs. A cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return, which some programs skip
before reading a formula) is run as a formula — "CSV injection". Every such
value is prefixed with an apostrophe, which spreadsheets show as text and
people read past; so is every line of a multi-line value.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet will show rather than run.

    The text is guarded at its start and after every line break (a reader that
    splits lines would otherwise meet a formula there). Text that already starts
    with apostrophes before a formula character gets one more, so that
    :func:`restore_formula_text` gives back exactly what was written.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("notes\\r+cmd"), neutralise_formula("'=kept")
    ("notes\\r'+cmd", "''=kept")
    >>> neutralise_formula("Riverside CMHT"), neutralise_formula("")
    ('Riverside CMHT', '')
    """
    parts = _LINE_BREAK.split(text)
    for i in range(2, len(parts), 2):
        parts[i] = _guard(parts[i])
    return _guard("".join(parts), head=text)


def restore_formula_text(text: str) -> str:
    """Undo :func:`neutralise_formula`, for text read back from an exported table.

    Only an apostrophe directly before a formula character (or before more
    apostrophes and then one) is removed, so text that simply starts with an
    apostrophe is kept as typed.

    Examples
    --------
    >>> restore_formula_text(neutralise_formula("-Older adults team\\n=row two"))
    '-Older adults team\\n=row two'
    >>> restore_formula_text("'Tis the season"), restore_formula_text("''=kept")
    ("'Tis the season", "'=kept")
    """
    parts = _LINE_BREAK.split(text)
    for i in range(2, len(parts), 2):
        parts[i] = _unguard(parts[i])
    joined = "".join(parts)
    return joined[1:] if _is_guarded(text) else joined


def _guard(line: str, head: str | None = None) -> str:
    # The test is on the original text (``head``) so that adding guards further on
    # never changes whether the start needs one: that keeps the two functions inverse.
    return "'" + line if (line if head is None else head).lstrip("'").startswith(FORMULA_PREFIXES) else line


def _unguard(line: str) -> str:
    return line[1:] if _is_guarded(line) else line


def _is_guarded(line: str) -> bool:
    return line.startswith("'") and line.lstrip("'").startswith(FORMULA_PREFIXES)


def markdown_cell(text: object) -> str:
    """A value for one Markdown table cell: formula-safe, one line, pipes and HTML escaped.

    Examples
    --------
    >>> markdown_cell("A | B\\nsecond line")
    'A \\\\| B second line'
    >>> markdown_cell("@mention")
    "'@mention"
    """
    return markdown_text(text).replace("|", "\\|")


def markdown_text(text: object) -> str:
    """A value for running Markdown text: formula-safe, one line, no raw HTML or heading marks.

    Examples
    --------
    >>> markdown_text("<script>x</script>")
    '&lt;script&gt;x&lt;/script&gt;'
    >>> markdown_text("# not a heading")
    '\\\\# not a heading'
    """
    value = "" if text is None else str(text)
    value = " ".join(value.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    value = value.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    value = neutralise_formula(value)
    if value.startswith("#"):
        value = "\\" + value
    return value


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Text with the control characters XML cannot hold removed (Word and GraphML are XML).

    Examples
    --------
    >>> xml_text("Team\\x00 A\\x07")
    'Team A'
    """
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as escapes, never obeyed.

    An escape code in a name (``\\x1b[2J`` clears the screen) or a bidirectional
    override (which reorders what follows) would otherwise act on the person's
    terminal. Line breaks and tabs are kept.

    Examples
    --------
    >>> terminal_text("Team\\x1b[2J A\\n\\u202eevil")
    'Team\\\\x1b[2J A\\n\\\\u202eevil'
    """
    return _TERMINAL_UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
