"""Uploaded materials: the type comes from the bytes, never the name; size limit; virus scan; a refused upload
leaves nothing behind (no row, no file)."""

from __future__ import annotations

import pytest

from onewindow.cases import services
from onewindow.cases.models import CaseMaterial, TrustLevel
from onewindow.cases.scanners import EICAR_SIGNATURE
from onewindow.cases.tests.factories import (
    EXE_BYTES,
    JPEG_BYTES,
    PNG_BYTES,
    case_in_state,
    case_item,
    material_of,
    ofd_bytes,
    upload,
)
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(citizen, item):
    return case_in_state("draft", user=citizen, item=item)


def attach(case, user, file):
    return services.case_material_attach(
        case=case, user=user, material=material_of(case.item, "id-card"), upload=file
    )


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_a_pdf_name_with_png_bytes_is_recorded_as_png(draft, citizen, media_root):
    row = attach(draft, citizen, upload("身份证.pdf", PNG_BYTES, content_type="application/pdf"))
    assert (row.content_type, row.original_name, row.trust_level) == ("image/png", "身份证.pdf", TrustLevel.C)
    assert row.size == len(PNG_BYTES) and len(row.sha256) == 64
    assert row.file.name.startswith(f"cases/{draft.pk}/") and row.file.name.endswith(".png")
    assert row.file.read() == PNG_BYTES
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("content", "expected"), [(JPEG_BYTES, "image/jpeg"), (ofd_bytes(), "application/ofd")]
)
def test_jpeg_and_ofd_are_recognised_by_their_bytes(draft, citizen, content, expected):
    assert attach(draft, citizen, upload("scan.bin", content)).content_type == expected


def test_an_exe_renamed_pdf_is_refused_in_chinese_and_nothing_is_written(draft, citizen, media_root):
    with pytest.raises(DomainError) as caught:
        attach(draft, citizen, upload("申请表.pdf", EXE_BYTES))
    assert (caught.value.status, caught.value.code) == (415, "upload_type_not_allowed")
    assert "可执行程序" in caught.value.message and "PDF" in caught.value.message
    assert not CaseMaterial.objects.exists() and stored_files(media_root) == []


def test_a_zip_that_is_not_ofd_is_refused(draft, citizen):
    with pytest.raises(DomainError) as caught:
        attach(draft, citizen, upload("x.ofd", ofd_bytes(with_entry=False)))
    assert caught.value.code == "upload_type_not_allowed"


def test_an_oversized_file_is_refused_and_nothing_is_written(settings, draft, citizen, media_root):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DomainError) as caught:
        attach(draft, citizen, upload("big.pdf", b"%PDF-1.7\n" + b"0" * 2000))
    assert (caught.value.status, caught.value.code) == (413, "upload_too_large")
    assert not CaseMaterial.objects.exists() and stored_files(media_root) == []


def test_an_infected_file_is_refused(draft, citizen, media_root):
    with pytest.raises(DomainError) as caught:
        attach(draft, citizen, upload("eicar.pdf", b"%PDF-1.7\n" + EICAR_SIGNATURE))
    assert caught.value.code == "upload_infected"
    assert stored_files(media_root) == []


def test_an_empty_file_is_refused(draft, citizen):
    with pytest.raises(DomainError) as caught:
        attach(draft, citizen, upload("empty.pdf", b""))
    assert caught.value.code == "upload_empty"


def test_a_material_of_another_item_is_refused(draft, citizen, department_a):
    other = case_item(department=department_a, name="另一事项")
    with pytest.raises(DomainError) as caught:
        services.case_material_attach(
            case=draft, user=citizen, material=material_of(other, "id-card"), upload=upload()
        )
    assert caught.value.code == "material_not_in_guide"


def test_another_citizen_cannot_upload_to_my_case(draft, another_citizen, media_root):
    with pytest.raises(DomainError) as caught:
        attach(draft, another_citizen, upload())
    assert caught.value.status == 404
    assert stored_files(media_root) == []


def test_a_draft_file_can_be_removed(draft, citizen, media_root, django_capture_on_commit_callbacks):
    row = attach(draft, citizen, upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.case_material_remove(case=draft, user=citizen, case_material=row)
    assert not CaseMaterial.objects.exists() and stored_files(media_root) == []


def test_nothing_can_be_uploaded_once_submitted(citizen, item):
    case = case_in_state("submitted", user=citizen, item=item)
    with pytest.raises(DomainError) as caught:
        attach(case, citizen, upload())
    assert caught.value.code == "case_state_conflict"
