from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "worksafe.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from . import security  # noqa: F401  (audit of logins, failures, logouts)

        security.connect_axes()
        from . import benchpages, hooks  # noqa: F401  (the daily notice digest; benchpages: worksafe bench pages)
