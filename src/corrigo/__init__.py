"""Corrigo: reader corrections for news publishers."""

__version__ = "0.1.0"
