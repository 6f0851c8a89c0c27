from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "worksafe.risks"
    label = "risks"
    verbose_name = "风险分级管控"
