"""Monitoring API (to be written)."""


def register(router):
    pass
