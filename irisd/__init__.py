"""irisd: a self-hosted iris photo processing server."""

__version__ = "0.1.0"
