"""A raw dump of every table holds no plaintext citizen ID number or phone number (个人信息保护法 art. 51): every
identity record is created through the real services, then every row of every table is read back raw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from onewindow.core.errors import DomainError
from onewindow.identity.services.accounts import login_with_password, sms_code_send
from onewindow.identity.services.companies import agency_grant, company_register, person_act_for
from onewindow.identity.services.personal_data import person_data_export, person_identifier_reveal
from onewindow.identity.services.sessions import session_record
from onewindow.identity.services.verification import (
    person_verify_at_counter,
    person_verify_face,
    person_verify_online,
)
from onewindow.identity.verifiers import SandboxIdentityVerifier
from tests.factories import DEFAULT_PASSWORD, person, valid_citizen_id


def _request():
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def _dump() -> str:
    """Every value of every row of every table, as text (bytes decoded both as text and as hex)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        parts += [raw.decode("utf-8", "replace"), raw.hex()]
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


@pytest.mark.django_db(transaction=False)
def test_a_raw_database_dump_holds_no_plaintext_id_or_phone(clerk_a, client_as):
    boss = person(120, name="张三")
    agent = person(121, name="赵六")
    newcomer = person(122, level=1, name="王五")
    id_numbers = [boss.id_number, agent.id_number, valid_citizen_id(122)]
    phones = [boss.phone, agent.phone, newcomer.phone, "13912345678"]

    person_verify_online(person=newcomer, name="王五", id_number=valid_citizen_id(122))
    person_verify_face(person=boss, evidence=SandboxIdentityVerifier.FACE_TOKEN)
    person_verify_at_counter(clerk=clerk_a, person=agent, id_number=agent.id_number, document_checked=True)
    with pytest.raises(DomainError):
        person_verify_online(person=person(123, level=1), name="测试不通过", id_number=valid_citizen_id(123))
    id_numbers.append(valid_citizen_id(123))

    company = company_register(person=boss, credit_code="91350100M000100Y43")
    agency_grant(
        grantor_user=boss.user,
        company=company,
        agent_identifier=agent.id_number,
        scopes=["apply"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    agency_grant(
        grantor_user=boss.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=["apply", "track"],
        expires_at=timezone.now() + timedelta(days=60),
    )
    person_act_for(person=agent, company=company)

    person_identifier_reveal(viewer=clerk_a, person=boss, field="id_number", reason="窗口受理核对身份")
    person_identifier_reveal(viewer=clerk_a, person=boss, field="phone", reason="电话回访确认")
    person_data_export(person=boss)

    sms_code_send(phone="13912345678", purpose="register")
    sms_code_send(phone=boss.phone, purpose="login")
    for identifier, password in [(boss.phone, "wrong-password"), (boss.id_number, "wrong-password")]:
        with pytest.raises(DomainError):
            login_with_password(request=_request(), identifier=identifier, password=password)
    login_with_password(request=_request(), identifier=boss.phone, password=DEFAULT_PASSWORD)
    session_record(request=_request(), user=agent.user, method="password")

    browser = Client()
    browser.force_login(boss.user)
    browser.get(reverse("identity:account"))
    client_as(clerk_a).post(reverse("identity_staff:lookup"), {"action": "find", "q": agent.phone})

    tables = set(connection.introspection.table_names())
    assert {
        "identity_person",
        "identity_smschallenge",
        "accounts_user",
        "core_auditentry",
        "django_session",
    } <= tables
    dump = _dump()
    assert "张三" in dump and "91350100M000100Y43" in dump  # the dump really reads the tables
    for secret in id_numbers + phones:
        assert secret not in dump, secret
        assert secret.encode().hex() not in dump, secret
