"""The accessibility statement page."""
