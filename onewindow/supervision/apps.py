from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "onewindow.supervision"
    label = "supervision"
    verbose_name = _("e-supervision")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register
        from onewindow.supervision.services import breach_correction_refused, breach_decision_off_platform

        # A refused correction notice is rolled back in cases; the attempt itself is a breach to record.
        case_hook_register(CaseHook.CORRECTION_REFUSED, breach_correction_refused)
        # Before workflow's own CONCLUDED handler (order 0) cancels the steps still open.
        case_hook_register(CaseHook.CONCLUDED, breach_decision_off_platform, order=-10)
