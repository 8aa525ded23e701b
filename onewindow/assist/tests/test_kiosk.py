"""Kiosk mode: the ID card reader plug-in, signing in with the card, and the automatic sign-out."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from onewindow.assist.middleware import KIOSK_SESSION_KEY
from onewindow.assist.tests.conftest import RESIDENT_ID, RESIDENT_NAME, RESIDENT_PHONE
from onewindow.core.errors import DomainError
from onewindow.identity.card_readers import HttpIdCardReader, SandboxIdCardReader
from onewindow.identity.models import UserSession
from onewindow.identity.services.people import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(db):
    return person_create(name=RESIDENT_NAME, phone=RESIDENT_PHONE, id_number=RESIDENT_ID)


def test_the_sandbox_reader_reads_a_placed_card_once():
    reader = SandboxIdCardReader()
    SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number=RESIDENT_ID)
    card = reader.read(terminal="kiosk-1")
    assert (card.name, card.id_number) == (RESIDENT_NAME, RESIDENT_ID)
    with pytest.raises(DomainError) as absent:
        reader.read(terminal="kiosk-1")
    assert absent.value.code == "id_card.absent"


def test_a_card_with_a_bad_number_is_refused():
    with pytest.raises(DomainError):
        SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number="35010219450812")


def test_the_reader_service_must_be_local_or_https():
    HttpIdCardReader("http://127.0.0.1:19196/readcard")
    HttpIdCardReader("https://reader.hall.example/readcard")
    with pytest.raises(ImproperlyConfigured):
        HttpIdCardReader("http://reader.hall.example/readcard")


def test_an_unreachable_reader_service_is_a_clear_503():
    with pytest.raises(DomainError) as refused:
        HttpIdCardReader("http://127.0.0.1:9/readcard", timeout=0.5).read(terminal="kiosk-1")
    assert refused.value.status == 503 and refused.value.code == "id_card.reader_unavailable"


def test_signing_in_with_the_card_shows_my_cases(client, resident):
    SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number=RESIDENT_ID)
    response = client.post(reverse("kiosk:card"), {"step": "read"})
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:mine")
    assert KIOSK_SESSION_KEY in client.session
    page = client.get(reverse("kiosk:mine"))
    assert page.status_code == 200 and RESIDENT_NAME in page.content.decode()
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    assert UserSession.objects.filter(user=resident.user, method="id_card").exists()


def test_no_card_or_an_unknown_card_is_a_clear_message(client, db):
    response = client.post(reverse("kiosk:card"), {"step": "read"})
    assert response.status_code == 400 and "身份证" in response.content.decode()
    SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number=RESIDENT_ID)
    response = client.post(reverse("kiosk:card"), {"step": "read"})
    assert response.status_code == 403 and "尚未在平台注册" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_staff_card_does_not_sign_in(client, helper):
    from onewindow.identity.models import Person

    Person.objects.create(user=helper, id_number=RESIDENT_ID, id_number_hash=None)
    SandboxIdCardReader.place(terminal="kiosk-1", name=helper.name, id_number=RESIDENT_ID)
    response = client.post(reverse("kiosk:card"), {"step": "read"})
    assert response.status_code == 403


def test_an_idle_kiosk_session_ends_on_the_server(client, resident, settings, monkeypatch):
    settings.ONEWINDOW_KIOSK_IDLE_SECONDS = 60
    SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number=RESIDENT_ID)
    client.post(reverse("kiosk:card"), {"step": "read"})
    assert client.get(reverse("kiosk:mine")).status_code == 200
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(reverse("kiosk:mine"))
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:home") + "?ended=idle"
    assert "_auth_user_id" not in client.session and KIOSK_SESSION_KEY not in client.session
    assert UserSession.objects.get(user=resident.user).ended_at is not None
    # Another visit is a fresh, signed-out one.
    assert client.get(reverse("kiosk:mine"))["Location"] == reverse("kiosk:card")


def test_signing_out_ends_the_session(client, resident):
    SandboxIdCardReader.place(terminal="kiosk-1", name=RESIDENT_NAME, id_number=RESIDENT_ID)
    client.post(reverse("kiosk:card"), {"step": "read"})
    response = client.post(reverse("kiosk:end"))
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:home")
    assert "_auth_user_id" not in client.session


def test_the_kiosk_pages_answer(client, item):
    for name, args in [("kiosk:home", []), ("kiosk:services", []), ("kiosk:track", []), ("kiosk:card", [])]:
        assert client.get(reverse(name, args=args)).status_code == 200
    guide = client.get(reverse("kiosk:guide", args=[item.implementation_code]))
    assert guide.status_code == 200 and "data-print" in guide.content.decode()
    assert client.get(reverse("kiosk:guide", args=["nope"])).status_code == 404
    assert client.post(reverse("kiosk:track"), {"case_number": "X1", "password": "abc"}).status_code == 404
