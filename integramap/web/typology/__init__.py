"""The Typology page and its figures."""
