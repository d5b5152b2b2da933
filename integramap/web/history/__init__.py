"""The History page: a site's revisions."""
