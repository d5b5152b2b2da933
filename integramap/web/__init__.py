"""The IntegraMap web app (Dash): the only part of IntegraMap that imports Dash.

``create_app(store)`` builds the app; ``python app.py`` serves it.
"""

from integramap.web.shell import create_app, page_modules

__all__ = ["create_app", "page_modules"]
