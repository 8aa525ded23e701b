"""Uploads honour an Idempotency-Key: a retried upload attaches the file once and answers as the first time;
the key with another file is refused; the upload form's hidden key makes a double submit attach once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.factories import PDF_BYTES, case_in_state, material_of, upload
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def draft(citizen, item):
    return case_in_state("draft", user=citizen, item=item)


def _upload(client, case, item, key, content=PDF_BYTES):
    return client.post(
        f"{API}/cases/{case.pk}/materials",
        {"material_id": str(material_of(item, "id-card").pk), "file": upload("身份证.pdf", content)},
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retried_upload_attaches_the_file_once_and_returns_the_first_answer(
    client_as, citizen, draft, item
):
    client = client_as(citizen)
    first = _upload(client, draft, item, "upload-1")

    retry = _upload(client, draft, item, "upload-1")

    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json() == first.json()
    assert draft.materials.count() == 1


def test_the_same_key_with_another_file_is_422_and_attaches_nothing(client_as, citizen, draft, item):
    client = client_as(citizen)
    _upload(client, draft, item, "upload-1")

    other = _upload(client, draft, item, "upload-1", content=PDF_BYTES + b"\n% another file")

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert draft.materials.count() == 1


def test_uploads_without_a_key_attach_each_time(client_as, citizen, draft, item):
    client = client_as(citizen)
    for _ in range(2):
        client.post(
            f"{API}/cases/{draft.pk}/materials",
            {"material_id": str(material_of(item, "id-card").pk), "file": upload("身份证.pdf")},
        )

    assert draft.materials.count() == 2


def test_a_refused_upload_leaves_its_key_free_for_the_corrected_retry(citizen, draft, item):
    with pytest.raises(DomainError):
        services.case_material_attach(
            case=draft,
            user=citizen,
            material=material_of(item, "id-card"),
            upload=upload("x.pdf", b"MZ not a pdf"),
            idempotency_key="k",
        )

    row = services.case_material_attach(
        case=draft, user=citizen, material=material_of(item, "id-card"), upload=upload(), idempotency_key="k"
    )

    assert draft.materials.get() == row


def test_the_upload_form_carries_a_key_so_a_double_submit_attaches_once(client_as, citizen, draft, item):
    client = client_as(citizen)
    page = client.get(reverse("cases:case", kwargs={"case_id": draft.pk})).content.decode()
    url = reverse("cases:material_upload", kwargs={"case_id": draft.pk})
    form_key = next(
        part.split('"', 1)[0]
        for part in page.split('name="idempotency_key" value="')[1:]
        if part.split('"', 1)[0].endswith("-id-card")
    )

    for _ in range(2):
        response = client.post(url, {"material": "id-card", "file": upload(), "idempotency_key": form_key})
        assert response.status_code == 302

    assert draft.materials.count() == 1
