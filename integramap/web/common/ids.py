"""Component ids shared across the app shell and pages.

Page-specific ids live as constants in each page module; the ones here are
read by more than one page (the navigation bar and the site picker).
"""

from __future__ import annotations

PAGES_LOCATION = "_pages_location"
"""The location component that ``dash.page_container`` provides (Dash's own id)."""

NAV_SITE = "nav-site"
NAV_LOCATION = "nav-location"
NAV_LINK = "nav-link"
NAV_SITES_LOADED = "nav-sites-loaded"
NAV_PERSON = "nav-person"
"""The signed-in person's name in the navigation bar."""
AUTHOR = "author-name"
"""The editor's name, kept in the browser between visits (``localStorage``)."""
OPENED_SITES = "opened-sites"
"""The sites this tab has opened since it was loaded (memory only): opening one again in the same tab
carries on with its working copy without asking whether to resume."""
NAV_ACCESSIBILITY = "nav-accessibility"
"""The link to the accessibility statement, at the right of the bar on every page."""
