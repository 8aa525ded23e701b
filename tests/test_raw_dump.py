"""A raw dump of the whole database — SQLite's ``iterdump``, PostgreSQL's ``pg_dump`` of the test database —
after the demo and journeys that submit application forms holds no ID number or phone number of any demo
person (issue #17.4, 个人信息保护法 art. 51): not in ``cases_case.form_data``, not in the audit trail, the
task queue, notifications or any other table."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import upload
from onewindow.catalogue.forms_render import form_sample_data
from onewindow.catalogue.models import Bundle, Item, MaterialSource, Necessity
from onewindow.core.errors import DomainError
from onewindow.demo.identity import CITIZENS
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)
_append_only = importlib.import_module("onewindow.core.migrations.0002_audit_append_only")
_calendar_seed = importlib.import_module("onewindow.workdays.migrations.0002_seed_official_calendar")


def _audit_triggers(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditentry {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
            return
        for statement in _append_only.SQLITE_DOWN:
            cursor.execute(statement)
        if enabled:
            for statement in _append_only.SQLITE_UP:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def flushable() -> Iterator[None]:
    """The data must be committed for ``pg_dump`` to see it; the teardown's flush then needs the audit
    table's append-only triggers lifted (and the next test the holiday lists the flush took away)."""
    _audit_triggers(enabled=True)
    _calendar_seed.seed(django_apps, None)
    yield
    _audit_triggers(enabled=False)


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
    return [
        (material, upload(f"{material.key}.pdf"))
        for material in case.item_version.materials.all()
        if material.necessity == Necessity.REQUIRED
        and (not material.obtained_by_platform or material.source == MaterialSource.ELICENCE)
    ]


def _bundle_started(user: Any) -> Case:
    """The first person's life event this citizen can apply for online."""
    for bundle in Bundle.objects.filter(is_published=True, audience="person").order_by("-popularity", "code"):
        try:
            return services.bundle_case_start(user=user, bundle=bundle)
        except DomainError:
            continue
    raise AssertionError("no demo life event can be applied for online")


def test_a_raw_dump_after_the_demo_and_form_journeys_holds_no_demo_id_or_phone(client):
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

    dump = _dump()
    assert "cases_case" in dump and zhang.name in dump  # the dump really holds the tables and their rows
    secrets = [c.id_number for c in CITIZENS if c.id_number] + [c.phone for c in CITIZENS]
    leaked = [s for s in secrets if s in dump or s.encode().hex() in dump]
    assert leaked == []
