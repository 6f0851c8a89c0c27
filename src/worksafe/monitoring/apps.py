from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "worksafe.monitoring"
    label = "monitoring"
    verbose_name = "在线监测预警"

    def ready(self):
        from . import hooks, scale  # noqa: F401  (tick steps, live plan metrics; scale: worksafe bench pages)
