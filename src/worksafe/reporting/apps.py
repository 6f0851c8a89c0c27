from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "worksafe.reporting"
    label = "reporting"
    verbose_name = "总结、报告与考核"

    def ready(self):
        from . import hooks  # noqa: F401  (menu, dashboard panel, tick, demo)
