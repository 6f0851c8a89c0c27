from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "worksafe.credit"
    label = "credit"
    verbose_name = "信用与问责"

    def ready(self):
        from . import hooks  # noqa: F401  (tick jobs, colour raiser, draw weight, sections, panel, metrics, demo)
