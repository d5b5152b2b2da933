"""The Compare page and its figures."""
