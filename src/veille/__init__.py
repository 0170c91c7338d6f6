"""Veille: turn war reporting into verifiable, source-linked data."""

__version__ = "0.1.0"
