from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "worksafe.enterprises"
    label = "enterprises"
    verbose_name = "企业"
