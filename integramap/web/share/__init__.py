"""The Sharing page: an owner gives colleagues a role on a site."""
