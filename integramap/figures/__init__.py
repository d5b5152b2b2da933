"""Plotly figures of a site's analyses: the Boundaries and Typology pictures, drawn without the web app.

Pure functions of a site, a report or plain counts, returning plotly figures, so the web pages
and the board-paper pictures (:mod:`integramap.io.board_pictures`) show the same figures and the
numbers behind each are tested without a browser.
"""
