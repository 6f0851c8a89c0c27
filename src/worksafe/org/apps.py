from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "worksafe.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self):
        from . import hooks  # noqa: F401  (scope resolver, live metric, demo loaders)
