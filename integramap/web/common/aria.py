"""ARIA attributes for Dash html components, whose keywords (``aria-label``) are not Python names."""

from __future__ import annotations

from typing import Any


def aria(**attributes: str) -> dict[str, Any]:
    """Keyword arguments for a component: ``aria(label="Open Vale")`` gives ``aria-label``.

    Examples
    --------
    >>> aria(label="Open Vale", sort="ascending")
    {'aria-label': 'Open Vale', 'aria-sort': 'ascending'}
    >>> aria(hidden="true")
    {'aria-hidden': 'true'}
    """
    return {f"aria-{name}": value for name, value in attributes.items()}
