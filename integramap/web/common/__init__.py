"""What several pages share: component ids, page specs, services, background jobs, uploads."""
