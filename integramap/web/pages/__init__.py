"""The app's pages: one module each, layout and callbacks together.

Adding a page is one new file here. A page module defines

``PAGE``
    a :class:`integramap.web.pagespec.PageSpec` (path, name in the navigation
    bar, order, and the ``layout`` function, which receives the query string's
    values, e.g. ``site``);
``register_callbacks(app, services)``
    which declares the page's callbacks on that app with ``app.callback`` (not
    Dash's global ``@callback``), so every app built by
    :func:`integramap.web.create_app` gets its own.

Modules without ``PAGE`` are ignored, so helpers can live beside the pages.
"""
