"""Hooks of this sub-domain (registered from reporting/hooks.py)."""
