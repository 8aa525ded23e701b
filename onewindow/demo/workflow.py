"""Demo processes: every demo item gets a process (through ``workflow.services``), a few items get a parallel
joint review by several departments (并联审批), and a handful of cases are put in flight — at different steps,
one returned with an opinion, one overdue, one life-event bundle accepted child by child — so the quick start
shows full inboxes.

Like the rest of the demo it creates only what is missing: a process key that exists is left alone (an
administrator may have published a newer version), an item that has a process keeps it, and a demo case is
seeded only when its applicant has no case of that item yet (no bundle application of that bundle).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue.forms_render import form_sample_data
from onewindow.catalogue.models import Bundle, CaseType, Item, ItemVersion, MaterialSource, Necessity
from onewindow.core import clock
from onewindow.demo.catalogue import ITEMS, implementation_code
from onewindow.identity.models import Person
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.models import Department, Role
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workflow import services as workflow_services
from onewindow.workflow.bpmn import StepSpec
from onewindow.workflow.models import OPEN_TASK_STATUSES, ProcessAssignment, ProcessDefinition, WorkTask

# Parallel joint reviews (并联审批) where they happen in Fuzhou: item key → (process key, process name, name of
# the joint step, the reviewing departments — the handling department first — and the working days of
# 承办 / joint step / 批准, which add up to the item's promised days).
JOINT_REVIEWS: dict[str, tuple[str, str, str, tuple[str, ...], tuple[int, int, int]]] = {
    # 食品经营许可: 市场监管 checks the premises and procedures, 卫健 the health of food-handling staff.
    "food-business-licence": (
        "market.food-joint",
        "食品经营许可 并联审查（市场监管、卫健）",
        "联合审查",
        ("market", "health"),
        (1, 1, 1),
    ),
    # 施工许可: 住建 with 自然资源和规划 (planning permit, land) and 生态环境 (EIA) at once (工程建设项目审批改革).
    "construction-permit": (
        "housing.construction-joint",
        "建筑工程施工许可 联合审查（住建、自然资源、生态环境）",
        "联合审查",
        ("housing", "land", "environment"),
        (1, 1, 1),
    ),
    # 特殊建设工程消防验收: 住建 organises it, the fire brigade checks the fire installations on site (联合验收).
    "fire-acceptance": (
        "housing.fire-acceptance-joint",
        "特殊建设工程消防验收 联合验收（住建、消防救援）",
        "联合验收",
        ("housing", "fire"),
        (2, 6, 2),
    ),
    # 二手房转移登记: 不动产登记, 住建 (contract filing) and 税务 (deed tax) review together (一窗受理、并行办理).
    "estate-transfer": (
        "land.estate-transfer-joint",
        "二手房转移登记 并联审核（不动产登记、住建、税务）",
        "并联审核",
        ("land", "housing", "tax"),
        (1, 1, 1),
    ),
}

# Bundles whose children are filed, and handled, in several departments (checked by the demo tests).
FAN_OUT_BUNDLES = ("second-hand-house", "open-restaurant")

DEMO_PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _key_prefix(department_key: str) -> str:
    return department_key.replace("_", "-")


def _standard_limits(days: int) -> tuple[int, int, int]:
    """承办 / 审核 / 批准 working days adding up to the item's promised ``days`` (a day's step may be 0: due the
    day it opens)."""
    if days <= 2:
        return (0, 1, days - 1)
    window = approve = max(1, round(days * 0.2))
    return (window, days - window - approve, approve)


def _shape(version: ItemVersion) -> tuple[str, str, list[StepSpec]]:
    """The shared process of an item without a joint review: (key suffix, name, steps)."""
    if version.case_type == CaseType.IMMEDIATE or version.promised_days == 0:
        return "immediate", "即办件：窗口承办", [StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=0)]
    window, review, approve = _standard_limits(version.promised_days)
    return (
        f"standard-{version.promised_days}",
        f"承诺件（{version.promised_days} 个工作日）：承办 → 审核 → 批准",
        [
            StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=window),
            StepSpec(name="审核", role=Role.REVIEWER, limit_days=review),
            StepSpec(name="批准", role=Role.APPROVER, limit_days=approve),
        ],
    )


def _joint_steps(
    departments: dict[str, Department], joint: str, keys: tuple[str, ...], limits: tuple[int, int, int]
) -> list[StepSpec]:
    window, review, approve = limits
    return [
        StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=window),
        StepSpec(
            name=joint,
            role=Role.REVIEWER,
            limit_days=review,
            departments=tuple(departments[key].credit_code for key in keys),
        ),
        StepSpec(name="批准", role=Role.APPROVER, limit_days=approve),
    ]


def processes_demo_load(
    *, actor: Any, departments: dict[str, Department], item_keys: dict[str, Item]
) -> dict[str, int]:
    """Give every demo item a process: its joint review, else its department's shared shape for its days."""
    created = {"processes": 0, "process_assignments": 0}
    by_department = {department.pk: key for key, department in departments.items()}
    joint_items = {item_keys[key].pk: spec for key, spec in JOINT_REVIEWS.items() if key in item_keys}
    known = set(ProcessDefinition.objects.values_list("key", flat=True))
    assigned = set(ProcessAssignment.objects.values_list("item_id", flat=True))
    for item in item_keys.values():
        version = item.published_version
        if item.pk in assigned or version is None or item.department_id not in by_department:
            continue
        department = departments[by_department[item.department_id]]
        if item.pk in joint_items:
            key, name, joint, reviewers, limits = joint_items[item.pk]
            steps = _joint_steps(departments, joint, reviewers, limits)
        else:
            suffix, name, steps = _shape(version)
            key = f"{_key_prefix(by_department[item.department_id])}.{suffix}"
            name = f"{department.short_name or department.name} {name}"
        if key not in known:
            workflow_services.process_definition_generate(
                actor=actor, key=key, name=name, steps=steps, department=department
            )
            known.add(key)
            created["processes"] += 1
        workflow_services.process_assign(actor=actor, item=item, key=key)
        created["process_assignments"] += 1
    return created


# --- cases in flight ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One task action on a demo case: ``verb`` (claim / approve / return) on the open task of ``department``
    by ``username``."""

    verb: str
    username: str
    department: str
    opinion: str = ""


@dataclass(frozen=True)
class DemoCase:
    """A case the demo puts in flight: who applies for what, who accepts it, what happens next."""

    phone: str
    item: str
    clerk: str
    steps: tuple[Step, ...] = ()
    days_ago: int = 0  # > 0: everything happened this many days ago (the overdue example)
    description: str = ""


DEMO_CASES = [
    DemoCase(
        "13900000005",
        "food-business-licence",
        "clerk_market",
        (Step("claim", "clerk_market", "market"),),
        description="食品经营许可：已受理，承办环节已由市场监管窗口签收（已签收）",
    ),
    DemoCase(
        "13900000003",
        "food-business-licence",
        "clerk_market",
        (Step("approve", "clerk_market", "market", "材料齐全，符合法定形式，送市场监管、卫健并联审查。"),),
        description="食品经营许可：并联审查中，市场监管审核员和卫健审核员各有一条待办",
    ),
    DemoCase(
        "13900000005",
        "construction-permit",
        "clerk_housing",
        (
            Step("approve", "clerk_housing", "housing", "材料齐全，送住建、自然资源、生态环境联合审查。"),
            Step("approve", "reviewer_housing", "housing", "施工图审查合格，质量安全监督手续齐全。"),
        ),
        description="施工许可：住建已审查通过，自然资源和生态环境尚在审查",
    ),
    DemoCase(
        "13900000005",
        "fire-acceptance",
        "clerk_housing",
        (
            Step("approve", "clerk_housing", "housing", "验收申请材料齐全。"),
            Step("approve", "reviewer_housing", "housing", "建设、设计、施工、监理单位竣工验收报告齐全。"),
            Step("approve", "reviewer_fire", "fire", "现场抽查消防设施功能正常。"),
        ),
        description="消防验收：联合验收完成，等待住建审批员批准",
    ),
    DemoCase(
        "13900000004",
        "drug-retail-licence",
        "clerk_market",
        (
            Step("approve", "clerk_market", "market", "材料齐全，转审核。"),
            Step(
                "return",
                "reviewer",
                "market",
                "执业药师注册证书的注册单位与申请企业不一致，请核实后补充变更后的注册证书。",
            ),
        ),
        description="药品零售许可：审核员退回承办环节，附退回意见",
    ),
    DemoCase(
        "13900000002",
        "special-equipment-registration",
        "clerk_market",
        (Step("approve", "clerk_market", "market", "材料齐全，转审核。"),),
        days_ago=21,
        description="特种设备使用登记：三周前受理，审核环节已超期",
    ),
]
# The life-event bundle put in flight: applied for by 王五 and accepted child by child at each department's window.
DEMO_BUNDLE = ("13900000004", "second-hand-house")


@contextlib.contextmanager
def _clock_at(days_ago: int) -> Iterator[None]:
    """Run the services as if it were ``days_ago`` days earlier (the working day at or before it, 10:00 in
    Fuzhou) — the overdue example — so its receipt, acceptance, step times and deadlines all agree."""
    if days_ago <= 0:
        yield
        return
    moment = clock.now().replace(hour=2, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
    calendar = WorkCalendar()
    while not calendar.is_working_day(moment.date()):  # a window accepts on working days
        moment -= dt.timedelta(days=1)
    original_now, original_today = clock.now, clock.today
    clock.now = lambda: moment
    clock.today = lambda: moment.date()
    try:
        yield
    finally:
        clock.now, clock.today = original_now, original_today


def _form_and_materials_fill(case: Case, user: Any) -> None:
    """The guide's sample form, and a small PDF for every required material the platform does not supply (an
    e-licence too: the demo citizens hold none in the licence library, so they upload it, as the guide allows)."""
    version = case.item_version
    schema = version.form_schema or {}
    examples = schema.get("examples") or [form_sample_data(schema)]
    case_services.case_form_save(case=case, user=user, form_data=case.form_data | examples[0])
    for material in version.materials.all():
        if material.necessity == Necessity.REQUIRED and (
            material.source == MaterialSource.ELICENCE or material.asked_as_upload
        ):
            upload = SimpleUploadedFile(f"{material.key}.pdf", DEMO_PDF, content_type="application/pdf")
            case_services.case_material_attach(case=case, user=user, material=material, upload=upload)


def _open_task(case: Case, department: Department) -> WorkTask:
    return WorkTask.objects.get(case=case, department=department, status__in=OPEN_TASK_STATUSES)


def _step_run(case: Case, step: Step, staff: dict[str, Any], departments: dict[str, Department]) -> None:
    task = _open_task(case, departments[step.department])
    user = staff[step.username]
    if step.verb == "claim":
        workflow_services.task_claim(task=task, user=user)
    elif step.verb == "approve":
        workflow_services.task_approve(task=task, user=user, opinion=step.opinion)
    else:
        workflow_services.task_return(task=task, user=user, opinion=step.opinion)


def cases_demo_load(*, departments: dict[str, Department], item_keys: dict[str, Item]) -> dict[str, int]:
    """Put the demo cases and the demo bundle application in flight (each only if not there yet)."""
    created = {"cases_in_flight": 0, "bundle_applications": 0}
    usernames = {demo.clerk for demo in DEMO_CASES} | {s.username for d in DEMO_CASES for s in d.steps}
    usernames |= {"clerk_housing", "clerk_tax", "clerk_land"}
    staff = {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}
    people: dict[str, Person] = {}
    for phone in {demo.phone for demo in DEMO_CASES} | {DEMO_BUNDLE[0]}:
        person = person_by_identifier(phone)
        if person is not None:
            people[phone] = person
    for demo in DEMO_CASES:
        item, person = item_keys.get(demo.item), people.get(demo.phone)
        if item is None or person is None or Case.objects.filter(applicant=person, item=item).exists():
            continue
        with _clock_at(demo.days_ago):
            case = case_services.case_start(user=person.user, item=item)
            _form_and_materials_fill(case, person.user)
            case = case_services.case_submit(case=case, actor=person.user)
            case = case_services.case_accept(case=case, clerk=staff[demo.clerk]).case
            for step in demo.steps:
                _step_run(case, step, staff, departments)
        created["cases_in_flight"] += 1

    phone, bundle_code = DEMO_BUNDLE
    bundle, person = Bundle.objects.filter(code=bundle_code).first(), people.get(phone)
    if (
        bundle is not None
        and person is not None
        and not Case.objects.filter(applicant=person, bundle=bundle).exists()
    ):
        parent = case_services.bundle_case_start(user=person.user, bundle=bundle)
        for child in Case.objects.filter(parent=parent).select_related("item_version"):
            _form_and_materials_fill(child, person.user)
        case_services.bundle_case_submit(case=parent, actor=person.user)
        # Stage 1 is accepted at its department's window, which numbers the life event; the later stages
        # wait until it concludes (一件事: one application, several departments, stage by stage).
        clerks = {department.pk: username for username, department in _window_clerks(departments)}
        for child in Case.objects.filter(parent=parent, status=CaseStatus.SUBMITTED).order_by("pk"):
            case_services.case_accept(case=child, clerk=staff[clerks[child.department_id]])
        created["bundle_applications"] += 1
    return created


def _window_clerks(departments: dict[str, Department]) -> list[tuple[str, Department]]:
    return [(f"clerk_{key}", departments[key]) for key in ("housing", "tax", "land")]


def workflow_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Processes for every demo item, then the cases in flight. Runs as the demo platform administrator."""
    actor = get_user_model().objects.get(username="admin")
    codes = {implementation_code(spec, departments[spec["dept"]]): spec["key"] for spec in ITEMS}
    item_keys = {
        codes[item.implementation_code]: item
        for item in Item.objects.filter(
            Q(implementation_code__in=list(codes)), ~Q(published_version=None)
        ).select_related("published_version")
    }
    created = processes_demo_load(actor=actor, departments=departments, item_keys=item_keys)
    created |= cases_demo_load(departments=departments, item_keys=item_keys)
    return created
