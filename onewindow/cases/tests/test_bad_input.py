"""Text that is not valid Unicode (a lone UTF-16 surrogate in JSON, bytes that are not UTF-8 in a form or a
query string) is refused with 400 before anything is stored, and a page showing such text stored earlier
still renders."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import case_in_state

pytestmark = pytest.mark.django_db


def json_body(item, name_escapes: str) -> str:
    """A JSON body spelled by hand: json.dumps would never write a lone surrogate's escape."""
    return (
        '{"item": "'
        + item.implementation_code
        + '", "form_data": {"applicant_name": "'
        + name_escapes
        + '"}}'
    )


@pytest.fixture
def draft(citizen, item):
    return case_in_state("draft", user=citizen, item=item)


def test_a_lone_surrogate_in_a_json_body_is_400_with_a_stable_code(client_as, citizen, item):
    response = client_as(citizen).post(
        "/api/v1/cases", json_body(item, "\\ud800"), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text"
    assert "字符" in response.json()["message"]
    assert not Case.objects.exists()


def test_a_surrogate_pair_spelling_a_real_character_is_accepted(client_as, citizen, item):
    body = json_body(item, "\\ud842\\udfb7")

    response = client_as(citizen).post("/api/v1/cases", body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert Case.objects.get().form_data["applicant_name"] == "𠮷"


def test_bytes_that_are_not_utf8_in_a_form_post_are_400_and_nothing_is_saved(client_as, citizen, draft):
    response = client_as(citizen).post(
        reverse("cases:case", kwargs={"case_id": draft.pk}),
        b"action=save&applicant_name=%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "无法识别的字符" in response.content.decode()
    draft.refresh_from_db()
    assert draft.form_data.get("applicant_name") != "\ufffd"


def test_bytes_that_are_not_utf8_in_a_query_string_are_400(client):
    response = client.get("/services/search/?q=%FF%FE")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses to store a lone surrogate")
def test_a_case_page_holding_a_stored_lone_surrogate_still_renders(client_as, citizen, draft):
    Case.objects.filter(pk=draft.pk).update(form_data={"applicant_name": "张\ud800三"})

    response = client_as(citizen).get(reverse("cases:case", kwargs={"case_id": draft.pk}))

    assert response.status_code == 200
    assert "张\ufffd三" in response.content.decode()
    assert draft.status == CaseStatus.DRAFT


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses to store a lone surrogate")
def test_the_api_answers_a_case_holding_a_stored_lone_surrogate(client_as, citizen, draft):
    Case.objects.filter(pk=draft.pk).update(form_data={"applicant_name": "张\ud800三"})

    response = client_as(citizen).get(f"/api/v1/cases/{draft.pk}")

    assert response.status_code == 200
    assert response.json()["form_data"]["applicant_name"] == "张\ufffd三"
