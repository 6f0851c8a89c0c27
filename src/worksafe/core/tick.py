"""The tick: one idempotent sweep (``worksafe tick``, every minute from cron or the demo server).

Each app registers its jobs in :data:`STEPS` from its ``AppConfig.ready()``; a job takes ``now``
(or None) and returns how many things it did, and must be safe to run again (it records what it
did so nothing is sent twice)."""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

STEPS: dict[str, Callable] = {}


def tick_job(name: str):
    """Decorator: register ``func(now=None) -> int`` as the tick job ``name``."""

    def deco(func):
        STEPS[name] = func
        return func

    return deco


def run_tick(now=None) -> dict[str, int]:
    results = {}
    for name, step in STEPS.items():
        results[name] = step(now)
    return results
