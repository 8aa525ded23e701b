from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    verbose_name = _("E-licences")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register
        from onewindow.licences.services.cases import on_case_concluded, on_case_decision_revoked
        from onewindow.licences.services.reuse import licences_attach_on_start

        # An approved case whose item produces a licence issues it in the conclusion's own transaction.
        case_hook_register(CaseHook.CONCLUDED, on_case_concluded)
        # With the holder's consent, licences the new application needs are attached as it starts (免提交).
        case_hook_register(CaseHook.STARTED, licences_attach_on_start)
        # An approval revoked for a false pledge (告知承诺) revokes the licence it produced.
        case_hook_register(CaseHook.DECISION_REVOKED, on_case_decision_revoked)
