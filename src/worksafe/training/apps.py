from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "worksafe.training"
    label = "training"
    verbose_name = "培训"

    def ready(self):
        from . import hooks  # noqa: F401  (panel, section, metrics, tick, demo, menu)
