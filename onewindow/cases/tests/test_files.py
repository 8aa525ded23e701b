"""Serving uploaded materials: only to the applicant and to staff of the case's department, with the type
detected from the bytes, the original name, and headers that stop browsers guessing or caching."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import CaseMaterial
from onewindow.cases.tests.factories import (
    EXE_BYTES,
    PNG_BYTES,
    case_in_state,
    material_of,
    ofd_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(citizen, item):
    return case_in_state("draft", user=citizen, item=item)


def file_url(row):
    return reverse("cases:material_file", kwargs={"case_id": row.case_id, "material_id": row.pk})


def post_upload(client, case, name, content):
    return client.post(
        reverse("cases:material_upload", kwargs={"case_id": case.pk}),
        {"material": "id-card", "file": upload(name, content, "application/pdf")},
    )


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_png_named_pdf_is_stored_and_served_as_png(client_as, citizen, draft):
    client = client_as(citizen)
    post_upload(client, draft, "证件.pdf", PNG_BYTES)
    row = CaseMaterial.objects.get()
    assert row.content_type == "image/png" and row.file.name.endswith(".png")
    response = client.get(file_url(row))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E8%AF%81%E4%BB%B6.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_renamed_executable_is_refused_in_chinese_and_nothing_is_written(
    client_as, citizen, draft, media_root
):
    response = post_upload(client_as(citizen), draft, "scan.pdf", EXE_BYTES)
    assert response.status_code == 415
    page = response.content.decode()
    assert "文件格式不受支持（该文件实际是Windows 可执行程序）" in page
    assert 'aria-invalid="true"' in page
    assert not CaseMaterial.objects.exists()
    assert stored_files(media_root) == []


def test_too_large_upload_is_refused_in_chinese(client_as, citizen, draft, settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 1024 * 1024
    response = post_upload(client_as(citizen), draft, "big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "超过了 1 MB 的上限" in response.content.decode()
    assert not CaseMaterial.objects.exists()


def test_ofd_is_downloaded_not_shown(client_as, citizen, draft):
    client = client_as(citizen)
    post_upload(client, draft, "licence.ofd", ofd_bytes())
    response = client.get(file_url(CaseMaterial.objects.get()))
    assert response["Content-Type"] == "application/ofd"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.fixture
def submitted_file(citizen, item):
    case = case_in_state("submitted", user=citizen, item=item)
    return case.materials.first()


def test_another_citizen_gets_404(client_as, another_citizen, submitted_file):
    assert client_as(another_citizen).get(file_url(submitted_file)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, submitted_file):
    response = client.get(file_url(submitted_file))
    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:login"))


def test_staff_of_the_department_may_view(client_as, clerk_a, submitted_file):
    assert client_as(clerk_a).get(file_url(submitted_file)).status_code == 200


def test_staff_of_another_department_get_404(client_as, clerk_b, submitted_file):
    assert client_as(clerk_b).get(file_url(submitted_file)).status_code == 404


def test_staff_cannot_see_a_draft(client_as, citizen, clerk_a, draft):
    row = services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "id-card"), upload=upload()
    )
    assert client_as(clerk_a).get(file_url(row)).status_code == 404


def test_a_material_of_another_case_is_404(client_as, citizen, item, submitted_file):
    other = case_in_state("draft", user=citizen, item=item)
    url = reverse("cases:material_file", kwargs={"case_id": other.pk, "material_id": submitted_file.pk})
    assert client_as(citizen).get(url).status_code == 404
