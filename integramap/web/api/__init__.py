"""The REST API at ``/api/v1``: how analysts script IntegraMap and how the load test drives it."""
