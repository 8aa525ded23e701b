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

        from onewindow.cases.hooks import CaseHook, case_hook_register
        from onewindow.catalogue.selectors import joint_departments_provider_register
        from onewindow.workflow.selectors import item_process_departments
        from onewindow.workflow.services import instances

        # The guide's 联办机构 are the departments of the item's process (issue #12.8).
        joint_departments_provider_register(item_process_departments)

        case_hook_register(CaseHook.ACCEPTED, instances.on_case_accepted)
        case_hook_register(CaseHook.PROCESS_STARTED, instances.on_case_process_started)
        case_hook_register(CaseHook.SUSPENDED, instances.on_case_suspended)
        case_hook_register(CaseHook.RESUMED, instances.on_case_resumed)
        case_hook_register(CaseHook.CONCLUDING, instances.on_case_concluding)
        case_hook_register(CaseHook.CONCLUDED, instances.on_case_concluded)
