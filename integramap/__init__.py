"""IntegraMap: a service-integration topology modeller for health and social care."""

__version__ = "0.1.0"
