from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "worksafe.plans"
    label = "plans"
    verbose_name = "三年行动方案"
