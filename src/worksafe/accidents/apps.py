from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "worksafe.accidents"
    label = "accidents"
    verbose_name = "事故"

    def ready(self):
        from . import hooks  # noqa: F401  (raiser, tick job, panel, section, metrics, demo, menu)
