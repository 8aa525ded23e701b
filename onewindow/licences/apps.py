from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    verbose_name = _("E-licences")

    def ready(self) -> None:
        from onewindow.cases.hooks import CaseHook, case_hook_register, case_material_drawer_register
        from onewindow.catalogue.prefill import prefill_provider_register
        from onewindow.licences.models import Licence
        from onewindow.licences.services.cases import on_case_concluded, on_case_decision_revoked
        from onewindow.licences.services.copies import licence_copy_draw
        from onewindow.licences.services.lifecycle import verification_generation_renew
        from onewindow.licences.services.reuse import (
            licence_prefill_sources,
            licences_attach_on_start,
            licences_hand_over,
        )

        # An approved case whose item produces a licence issues it in the conclusion's own transaction.
        case_hook_register(CaseHook.CONCLUDED, on_case_concluded)
        # With the holder's consent, licences the new application needs are attached as it starts (免提交).
        case_hook_register(CaseHook.STARTED, licences_attach_on_start)
        # An approval revoked for a false pledge (告知承诺) revokes the licence it produced.
        case_hook_register(CaseHook.DECISION_REVOKED, on_case_decision_revoked)
        # A life event's later stage receives the licences its earlier stages issued (出生医学证明 → 户口登记).
        case_hook_register(CaseHook.STAGE_STARTING, licences_hand_over)
        # A licence attached to an application is drawn as its watermarked copy on its first download if the
        # worker has not drawn it yet.
        case_material_drawer_register(licence_copy_draw)
        # Forms are prefilled from the face fields of the applicant's licences (避免重复录入).
        prefill_provider_register(licence_prefill_sources)
        # A saved change of a licence (revoked, suspended, superseded …) retires its cached verification answers.
        post_save.connect(verification_generation_renew, sender=Licence, dispatch_uid="licences.verify.saved")
        post_delete.connect(
            verification_generation_renew, sender=Licence, dispatch_uid="licences.verify.deleted"
        )
