from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "worksafe.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def ready(self):
        from . import hooks  # noqa: F401  (panel, section, metrics, demo, weight providers)
