"""Case background jobs: the applicant's notification after each state change, and the scheduler's
daily intake rules (deemed acceptance, return of uncorrected applications)."""

from __future__ import annotations

from django_tasks import task

from onewindow.cases.models import Case, CaseMessage, EventAction
from onewindow.cases.services import case_deemed_accept_overdue, cases_withdraw_uncorrected


def _message_text(case: Case, event: str) -> str:
    name = case.item_version.name
    number = f"（受理编号 {case.number}）" if case.number else ""
    due = case.due_on
    extension = (
        case.events.filter(action=EventAction.EXTENDED).order_by("-at").first()
        if event == EventAction.EXTENDED
        else None
    )
    texts = {
        EventAction.SUBMITTED: f"您申请的“{name}”已提交，{case.department.name}将在 5 个工作日内完成预审。",
        EventAction.RESUBMITTED: f"您为“{name}”补正的材料已提交，{case.department.name}将尽快审核。",
        EventAction.CORRECTION_REQUESTED: f"您申请的“{name}”需要补齐补正材料，请在“我的办件”中查看补正告知书并按要求补正。",
        EventAction.ACCEPTED: f"您申请的“{name}”已受理{number}，承诺办结日期 {due}。",
        EventAction.ACCEPTED_BY_DEFAULT: f"您申请的“{name}”已依法自收件之日起视为受理{number}，承诺办结日期 {due}。",
        EventAction.NOT_ACCEPTED: f"您申请的“{name}”不予受理，理由：{case.refusal_reason}",
        EventAction.PROCESS_STARTED: f"您申请的“{name}”{number}已进入办理环节。",
        EventAction.SUSPENDED: f"您申请的“{name}”{number}进入特别程序，期间暂停计时。",
        EventAction.RESUMED: f"您申请的“{name}”{number}特别程序已结束，恢复计时，承诺办结日期 {due}。",
        EventAction.EXTENDED: f"您申请的“{name}”{number}{extension.note if extension else '办理时限已延长。'}",
        EventAction.CONCLUDED: f"您申请的“{name}”{number}已办结，请在“我的办件”中查看结果。",
        EventAction.DELIVERED: f"您申请的“{name}”{number}办理结果已送达。",
        EventAction.WITHDRAWN: f"您申请的“{name}”已撤回（退件）。",
    }
    return texts.get(EventAction(event), f"您申请的“{name}”{number}状态已更新。")


@task()
def case_notify(case_id: str, event: str) -> str:
    """Tell the applicant about a state change. In-site message only for now; SMS and e-mail through the
    gateways are issue #5's next step."""
    case = Case.objects.select_related("applicant__user", "item_version", "department", "deadline").get(
        pk=case_id
    )
    message = CaseMessage.objects.create(
        case=case, recipient=case.applicant.user, event=event, text=_message_text(case, event)
    )
    return str(message.pk)


@task()
def cases_deemed_accept_job() -> int:
    """Daily: accept by default the cases left without a correction notice for 5 working days."""
    return case_deemed_accept_overdue()


@task()
def cases_withdraw_uncorrected_job() -> int:
    """Daily: return (退件) the applications whose correction period ran out."""
    return cases_withdraw_uncorrected()
