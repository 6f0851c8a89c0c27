from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "worksafe.enterprises"
    label = "enterprises"
    verbose_name = "企业"

    def ready(self):
        from . import hooks, scale  # noqa: F401  (dashboard panels, sections, demo loader; scale: worksafe bench pages)
