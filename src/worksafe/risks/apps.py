from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "worksafe.risks"
    label = "risks"
    verbose_name = "风险分级管控"

    def ready(self):
        from . import hooks, scale  # noqa: F401  (dashboard panels, sections, demo loader; scale: worksafe bench pages)
