from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "onewindow.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register, case_section_register
        from onewindow.payments.services.fees import on_case_accepted, on_case_concluding
        from onewindow.payments.views import case_payment_section

        # A case whose item charges fees waits for payment (待缴费) from its acceptance on.
        case_hook_register(CaseHook.ACCEPTED, on_case_accepted)
        # The decision to grant (and the licence it issues) waits until the fees are paid or waived.
        case_hook_register(CaseHook.CONCLUDING, on_case_concluding)
        # The applicant's case page shows what is due and the way to pay.
        case_section_register(case_payment_section)
