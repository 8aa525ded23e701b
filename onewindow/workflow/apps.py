import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "onewindow.workflow"
    label = "workflow"
    verbose_name = _("Department workflows")

    def ready(self) -> None:
        # SpiffWorkflow logs every task state change at INFO: thousands of lines per case in production logs.
        logging.getLogger("spiff").setLevel(logging.WARNING)
