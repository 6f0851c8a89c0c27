from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "worksafe.plans"
    label = "plans"
    verbose_name = "三年行动方案"

    def ready(self):
        from . import hooks, scale  # noqa: F401  (tick job, dashboard panels, demo loader; scale: worksafe bench pages)
