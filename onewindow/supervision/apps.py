from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("e-supervision")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register
        from onewindow.supervision.services import breach_correction_refused

        # A refused correction notice is rolled back in cases; the attempt itself is a breach to record.
        case_hook_register(CaseHook.CORRECTION_REFUSED, breach_correction_refused)
