"""File formats: site files, spreadsheets, NHS/ONS reference data and exports."""

from .sitefile import (
    MAX_FILE_BYTES,
    dump_site,
    format_for,
    parse_site,
    read_site,
    site_to_data,
    write_site,
    write_text_atomic,
)

__all__ = [
    "MAX_FILE_BYTES", "dump_site", "format_for", "parse_site", "read_site", "site_to_data",
    "write_site", "write_text_atomic",
]
