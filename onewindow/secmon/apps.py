from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecmonConfig(AppConfig):
    name = "onewindow.secmon"
    label = "secmon"
    verbose_name = _("Security monitoring")

    def ready(self) -> None:
        from onewindow.secmon import receivers  # noqa: F401  (listens to core's audit and security signals)
