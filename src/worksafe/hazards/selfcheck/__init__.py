"""Self-inspection and the enterprises' reports: sector checklists (data), self-inspections whose
findings become hazards, the periodic statistical analysis and the monthly dual report (双报告)."""


def __getattr__(name):
    # data migration 0003 and the demo command name the seeding functions at this path
    if name in ("seed_checklists", "seed_with"):
        from . import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
