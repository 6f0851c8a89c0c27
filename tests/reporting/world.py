"""The reporting app's part of the test world: each sub-domain builds its rows in its own module."""

from . import world_assessment, world_reports, world_summaries

TOKEN_FIELDS = {**world_summaries.TOKEN_FIELDS, **world_reports.TOKEN_FIELDS, **world_assessment.TOKEN_FIELDS}


def reporting_world(w):
    world_summaries.build(w)
    world_reports.build(w)
    world_assessment.build(w)
