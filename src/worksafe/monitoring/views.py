"""Monitoring pages (to be written)."""
