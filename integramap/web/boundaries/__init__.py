"""The Boundaries page: its layout and callbacks, analysis data, findings, figures and demo offer."""
