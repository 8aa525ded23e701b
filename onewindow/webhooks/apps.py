from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "onewindow.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks for department systems")

    def ready(self) -> None:
        from onewindow.webhooks import receivers  # noqa: F401  (turns audit entries and new tasks into events)
