"""A raw dump of the whole database — SQLite's ``iterdump``, PostgreSQL's ``pg_dump`` of the test database —
after the demo and journeys that submit application forms holds no ID number or phone number of any demo
person (issue #17.4, 个人信息保护法 art. 51): not in ``cases_case.form_data``, not in the audit trail, the
task queue, notifications or any other table.

The journeys cover every path that copies form answers or identity data elsewhere: an approved case that
issues a licence to a person with ID number and phone on its face (``licences_licence.face``), a life event,
a walk-in at the window, the SMS and in-site notifications the queued tasks send (``django_tasks_db`` rows,
``cases_notificationdelivery``), and an API submission sent twice under one ``Idempotency-Key``."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode, NotificationChannel, NotificationDelivery
from onewindow.cases.tests.factories import upload
from onewindow.catalogue.forms_render import form_sample_data
from onewindow.catalogue.models import Bundle, Item, MaterialSource, Necessity
from onewindow.core.errors import DomainError
from onewindow.demo.identity import CITIZENS
from onewindow.halls.models import WindowClerk
from onewindow.halls.selectors import comprehensive_window_items
from onewindow.identity.services.people import person_by_identifier
from onewindow.licences.models import Licence
from onewindow.licences.services import licence_type_create
from onewindow.organisations.models import Membership, Role
from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask
from onewindow.workflow.services import task_approve

# The data must be committed for ``pg_dump`` to see it, so each test's teardown flushes the database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("flushable_database")]


def _dump() -> str:
    """The database as its engine's own dump tool writes it."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--host", settings["HOST"] or "127.0.0.1"]
    command += ["--port", str(settings["PORT"] or 5432), "--username", settings["USER"] or "postgres"]
    environment = os.environ | ({"PGPASSWORD": settings["PASSWORD"]} if settings["PASSWORD"] else {})
    result = subprocess.run(
        [*command, settings["NAME"]], capture_output=True, text=True, check=True, env=environment
    )
    return result.stdout


def _person_items() -> list[Item]:
    """Online items of a department with a demo window clerk whose form asks for the applicant's ID and
    phone, the most popular first."""
    departments = Membership.objects.filter(role=Role.WINDOW_CLERK).values("department")
    items = (
        Item.objects.filter(department__in=departments)
        .select_related("published_version")
        .order_by("-popularity", "implementation_code")
    )
    return [
        item
        for item in items
        if item.published_version is not None
        and item.published_version.is_online
        and item.published_version.min_assurance_level <= 2
        and {"id_number", "mobile"} <= set((item.published_version.form_schema or {}).get("properties", {}))
    ]


def _answers(item: Item, citizen: Any) -> dict[str, Any]:
    schema = item.published_version.form_schema
    return form_sample_data(schema) | {
        "applicant_name": citizen.name,
        "id_number": citizen.id_number,
        "mobile": citizen.phone,
    }


def _posted(answers: dict[str, Any]) -> dict[str, Any]:
    return {name: ("on" if value is True else value) for name, value in answers.items() if value is not False}


def _uploads(case: Case) -> list[tuple[Any, Any]]:
    return _uploads_for(case.item_version)


def _uploads_for(version: Any) -> list[tuple[Any, Any]]:
    return [
        (material, upload(f"{material.key}.pdf"))
        for material in version.materials.all()
        if material.necessity == Necessity.REQUIRED
        and not material.generated_online
        and (not material.obtained_by_platform or material.source == MaterialSource.ELICENCE)
    ]


def _comprehensive_window() -> tuple[Any, Item]:
    """A comprehensive window clerk (综合窗口) and an online item stationed at their centre whose form asks
    for the applicant's ID number and phone."""
    for window in WindowClerk.objects.select_related("user").order_by("created_at"):
        for item in comprehensive_window_items(user=window.user):
            properties = (item.published_version.form_schema or {}).get("properties", {})
            if {"id_number", "mobile"} <= set(properties):
                return window.user, item
    raise AssertionError("no demo comprehensive window takes an item asking for the ID number and phone")


def _bundle_started(user: Any) -> Case:
    """The first person's life event this citizen can apply for online."""
    for bundle in Bundle.objects.filter(is_published=True, audience="person").order_by("-popularity", "code"):
        try:
            return services.bundle_case_start(user=user, bundle=bundle)
        except DomainError:
            continue
    raise AssertionError("no demo life event can be applied for online")


def _member(department: Any, role: str) -> Any:
    return Membership.objects.filter(department=department, role=role).select_related("user").first().user


def _approved(case: Case) -> Case:
    """Every step of the case's process approved by a member holding its role, then the approval (出证办结)."""
    while task := WorkTask.objects.filter(case=case, status__in=OPEN_TASK_STATUSES).first():
        task_approve(task=task, user=_member(task.department, task.role), opinion="同意。")
    case.refresh_from_db()
    _fee_paid(case)
    return services.case_conclude(
        case=case, actor=_member(case.department, Role.APPROVER), code=ConclusionCode.APPROVED, result="准予"
    )


def _fee_paid(case: Case) -> None:
    """A fee-bearing item is paid by the applicant through the sandbox cashier before the approval (the
    order, its notice, the ledger and the receipt then lie in the dump too)."""
    from onewindow.payments import services as payments
    from onewindow.payments.models import CaseFee, FeeStatus

    fee = CaseFee.objects.filter(case=case, status=FeeStatus.DUE).first()
    if fee is None:
        return
    payer = case.applicant.user
    order, _created = payments.payment_order_create(actor=payer, fee=fee)
    payments.sandbox_pay(order=payments.payment_order_start(order=order, actor=payer), succeed=True)


def _issues_a_personal_licence(case: Case) -> None:
    """The case's item issues a licence whose face prints the applicant's ID number and phone."""
    licence_type = licence_type_create(
        department=case.department,
        code="1110000000001T9917",
        name="个人资格证书",
        face_fields=[
            {"key": "holder", "label": "持证人", "source": "holder.name"},
            {"key": "id_number", "label": "公民身份号码", "source": "form.id_number"},
            {"key": "mobile", "label": "联系电话", "source": "form.mobile"},
        ],
        validity_years=5,
        actor=None,
    )
    type(case.item_version).objects.filter(pk=case.item_version_id).update(
        licence_type_code=licence_type.code
    )
    case.item_version.refresh_from_db()


def test_a_raw_dump_after_the_demo_and_form_journeys_holds_no_demo_id_or_phone(client, settings):
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    web_item, api_item, *_ = _person_items()
    zhang, li, wang = (c for c in CITIZENS if c.name in {"张三", "李四", "王五"})
    clerk = Membership.objects.filter(role=Role.WINDOW_CLERK, department=web_item.department).first().user

    # 1. The web: 张三 applies, types the form with his ID number and phone, uploads, submits; accepted.
    user = person_by_identifier(zhang.phone).user
    client.force_login(user)
    response = client.post(
        reverse("cases:apply", args=[web_item.implementation_code]), {"idempotency_key": "w1"}
    )
    case = Case.objects.get(applicant__user=user, item=web_item)
    assert response.status_code == 302
    for material, file in _uploads(case):
        services.case_material_attach(case=case, user=user, material=material, upload=file)
    response = client.post(
        reverse("cases:case", args=[case.pk]),
        _posted(_answers(web_item, zhang)) | {"action": "submit", "idempotency_key": "w2"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED, re.findall(
        r"<li[^>]*>[^<]*<a[^>]*>([^<]+)<", response.content.decode()
    )
    assert case.form_data["id_number"] == zhang.id_number
    services.case_accept(case=case, clerk=clerk)
    client.get(reverse("cases:case", args=[case.pk]))

    # 2. The API: 李四 starts a draft with everything typed in.
    client.force_login(person_by_identifier(li.phone).user)
    response = client.post(
        "/api/v1/cases",
        {"item": api_item.implementation_code, "form_data": _answers(api_item, li)},
        content_type="application/json",
        headers={"Idempotency-Key": "api-1"},
    )
    assert response.status_code in (200, 201), response.content
    draft = Case.objects.get(pk=response.json()["id"])
    for material, file in _uploads(draft):
        services.case_material_attach(case=draft, user=draft.applicant.user, material=material, upload=file)
    # … and submits it twice under one key (a retry after a lost answer): one submission, the same reply.
    replies = [
        client.post(
            f"/api/v1/cases/{draft.pk}/submit",
            {},
            content_type="application/json",
            headers={"Idempotency-Key": "api-2"},
        )
        for _ in (1, 2)
    ]
    assert [r.status_code for r in replies] == [200, 200], replies[0].content
    assert replies[0].json()["status"]["code"] == replies[1].json()["status"]["code"] == CaseStatus.SUBMITTED

    # 3. A life event: 李四 starts a bundle and fills in every item's draft.
    li_user = person_by_identifier(li.phone).user
    parent = _bundle_started(li_user)
    children = list(parent.children.select_related("item__published_version"))
    for child in children:
        services.case_form_save(case=child, user=li_user, form_data=_answers(child.item, li))
    assert children

    # 4. The window: the clerk files 王五's application at the counter and accepts it.
    walk_in = services.case_walk_in_file(
        clerk=clerk,
        person=person_by_identifier(wang.phone),
        item=web_item,
        form_data=_answers(web_item, wang),
        materials=_uploads(case),
    )
    services.case_accept(case=walk_in, clerk=clerk)
    # … and at the centre's comprehensive window, its clerk files and accepts another for 王五.
    window_clerk, window_item = _comprehensive_window()
    at_window = services.case_walk_in_file(
        clerk=window_clerk,
        person=person_by_identifier(wang.phone),
        item=window_item,
        form_data=_answers(window_item, wang),
        materials=_uploads_for(window_item.published_version),
    )
    services.case_accept(case=at_window, clerk=window_clerk)

    # 5. The approval: 张三's case concludes with a licence whose face prints his ID number and phone; its
    # notifications wait in the database queue as in production (arguments and results stored).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _issues_a_personal_licence(case)
    _approved(case)
    licence = Licence.objects.get(case=case)
    assert licence.face["id_number"] == zhang.id_number and licence.face["mobile"] == zhang.phone

    # 6. The queued notifications run: in-site messages, and SMS to the applicants' phones.
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert NotificationDelivery.objects.filter(channel=NotificationChannel.SMS, case=case).exists()

    dump = _dump()
    assert "cases_case" in dump and zhang.name in dump  # the dump really holds the tables and their rows
    secrets = [c.id_number for c in CITIZENS if c.id_number] + [c.phone for c in CITIZENS]
    leaked = [s for s in secrets if s in dump or s.encode().hex() in dump]
    assert leaked == []
