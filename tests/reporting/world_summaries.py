"""The test world's reporting rows of the summaries sub-domain (called from tests/reporting/world.py)."""

#: scoped model label → the field carrying the row's token (merged into tests/conftest.py TOKEN_FIELDS)
TOKEN_FIELDS: dict[str, str] = {}


def build(w):
    pass
