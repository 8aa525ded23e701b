from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register
        from onewindow.cases.services.bundle_stages import bundle_stage_on_concluded

        # A life event's next stage starts when this one concludes — after every other handler, so the
        # licence the conclusion issues (licences app) exists to be handed over.
        case_hook_register(CaseHook.CONCLUDED, bundle_stage_on_concluded, order=100)
