from django.apps import AppConfig


class TipoffsConfig(AppConfig):
    name = "worksafe.tipoffs"
    label = "tipoffs"
    verbose_name = "举报奖励"

    def ready(self):
        from . import hooks  # noqa: F401  (nav, sections, tick job, weight provider, demo)
