from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "worksafe.core"
    label = "core"
    verbose_name = "公共"
