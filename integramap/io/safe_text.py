"""Making user text safe to put in spreadsheets and Markdown.

Names and notes in a site are typed by people, and exports are opened by
other people in spreadsheet programs. A cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return, which some programs skip
before reading a formula) is run as a formula — "CSV injection". Every such
value is prefixed with an apostrophe, which spreadsheets show as text and
people read past.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet will show rather than run.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("Riverside CMHT"), neutralise_formula("")
    ('Riverside CMHT', '')
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def restore_formula_text(text: str) -> str:
    """Undo :func:`neutralise_formula`, for text read back from an exported table.

    Only an apostrophe directly before a formula character is removed, so text
    that simply starts with an apostrophe is kept as typed.

    Examples
    --------
    >>> restore_formula_text(neutralise_formula("-Older adults team"))
    '-Older adults team'
    >>> restore_formula_text("'Tis the season"), restore_formula_text("plain")
    ("'Tis the season", 'plain')
    """
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


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
