from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "worksafe.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self):
        from . import hooks, scale  # noqa: F401  (tick step, colour raiser; scale: worksafe bench pages)
