from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "onewindow.ops"
    label = "ops"
    verbose_name = "Operations"
