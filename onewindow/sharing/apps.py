from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "onewindow.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register, case_notes_provider_register
        from onewindow.sharing import intake

        # After the e-licence library (order 0): what it could not attach is fetched from the registries.
        case_hook_register(CaseHook.STARTED, intake.shared_materials_on_start, order=50)
        # At receipt the platform fetches what is still missing and checks the form against the registries.
        case_hook_register(CaseHook.RECEIVING, intake.shared_data_on_receipt, order=50)
        case_notes_provider_register(intake.case_notes)
