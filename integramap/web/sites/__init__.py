"""The Sites page: the list of sites, uploads and the demo."""
