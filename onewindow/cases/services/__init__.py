"""Case writes (HackSoft services): every state change goes through here, locked, versioned, audited."""

from onewindow.cases.services._common import STATUS_ZH, case_lock, case_transition
from onewindow.cases.services.acceptance import (
    AcceptedCase,
    case_accept,
    case_deemed_accept_overdue,
    case_number_next,
    case_password_hash,
    case_password_reissue,
    case_refuse,
)
from onewindow.cases.services.assisted import case_assisted_file
from onewindow.cases.services.bundle_forms import (
    bundle_form_layout,
    bundle_form_save,
    bundle_material_attach,
    bundle_materials_needed,
)
from onewindow.cases.services.bundle_stages import (
    bundle_stage_advance,
    bundle_stage_due,
    bundle_stages,
    bundle_waiting_problems,
    case_material_hand_over,
)
from onewindow.cases.services.bundles import (
    bundle_case_start,
    bundle_case_submit,
    bundle_case_withdraw,
    bundle_entries_chosen,
    bundle_required_level,
    bundle_stage_submit,
)
from onewindow.cases.services.correction import (
    case_correction_request,
    case_resubmit,
    cases_withdraw_uncorrected,
)
from onewindow.cases.services.delivery_choice import case_delivery_choose
from onewindow.cases.services.extensions import case_extension_decide, case_extension_request
from onewindow.cases.services.handling import (
    case_conclude,
    case_deliver,
    case_process_start,
    case_resume,
    case_suspend,
)
from onewindow.cases.services.intake import (
    case_create_and_submit,
    case_form_save,
    case_messages_mark_read,
    case_start,
    case_submit,
    case_walk_in_file,
    case_withdraw,
    submission_problems,
)
from onewindow.cases.services.materials import (
    case_material_attach,
    case_material_attach_pending,
    case_material_attach_reference,
    case_material_attach_shared,
    case_material_file_fill,
    case_material_remove,
)
from onewindow.cases.services.pledges import (
    case_material_pledge,
    false_pledges_of,
    pledge_check_confirm,
    pledge_check_record_false,
)
from onewindow.cases.services.uploads import content_type_sniff, upload_check

__all__ = [
    "STATUS_ZH",
    "AcceptedCase",
    "bundle_case_start",
    "bundle_case_submit",
    "bundle_case_withdraw",
    "bundle_entries_chosen",
    "bundle_form_layout",
    "bundle_form_save",
    "bundle_material_attach",
    "bundle_materials_needed",
    "bundle_required_level",
    "bundle_stage_advance",
    "bundle_stage_due",
    "bundle_stage_submit",
    "bundle_stages",
    "bundle_waiting_problems",
    "case_accept",
    "case_assisted_file",
    "case_conclude",
    "case_correction_request",
    "case_create_and_submit",
    "case_deemed_accept_overdue",
    "case_deliver",
    "case_delivery_choose",
    "case_extension_decide",
    "case_extension_request",
    "case_form_save",
    "case_lock",
    "case_material_attach",
    "case_material_attach_pending",
    "case_material_attach_reference",
    "case_material_attach_shared",
    "case_material_file_fill",
    "case_material_hand_over",
    "case_material_pledge",
    "case_material_remove",
    "case_messages_mark_read",
    "case_number_next",
    "case_password_hash",
    "case_password_reissue",
    "case_process_start",
    "case_refuse",
    "case_resubmit",
    "case_resume",
    "case_start",
    "case_submit",
    "case_suspend",
    "case_transition",
    "case_walk_in_file",
    "case_withdraw",
    "cases_withdraw_uncorrected",
    "content_type_sniff",
    "false_pledges_of",
    "pledge_check_confirm",
    "pledge_check_record_false",
    "submission_problems",
    "upload_check",
]
