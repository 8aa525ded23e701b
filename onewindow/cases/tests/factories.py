"""Case factories: items to apply for, files with real magic bytes, and cases brought to a state through the
services (``case_in_state("accepted", …)``) so every record a state implies exists."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.catalogue.models import Item, Material, MaterialSource
from onewindow.catalogue.tests.factories import material, published_item
from onewindow.identity.models import Agency, Company, Person
from tests.factories import valid_credit_code

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03" + b"\x00" * 64
FORM = {"applicant_name": "张三"}


def ofd_bytes(*, with_entry: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml" if with_entry else "word/document.xml", "<ofd:OFD/>")
    return buffer.getvalue()


def upload(
    name: str = "scan.pdf", content: bytes = PDF_BYTES, content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def case_item(*, department: Any, **overrides: Any) -> Item:
    """An online item of ``department`` with two required uploads and one material from shared data."""
    materials = overrides.pop(
        "materials",
        [
            material("id-card"),
            material("application-form"),
            material("household-register", name="户口簿", source=MaterialSource.SHARED),
        ],
    )
    return published_item(department=department, materials=materials, **overrides)


def material_of(item: Item, key: str) -> Material:
    assert item.published_version is not None
    return item.published_version.materials.get(key=key)


def case_materials_attach(case: Case, user: Any) -> None:
    for key in ("id-card", "application-form"):
        services.case_material_attach(
            case=case, user=user, material=material_of(case.item, key), upload=upload(f"{key}.pdf")
        )


def case_in_state(state: str, *, user: Any, item: Item, clerk: Any = None) -> Case:
    """A case of ``user`` for ``item`` in ``draft``, ``submitted`` (form and materials complete) or
    ``accepted`` (by ``clerk``)."""
    case = services.case_start(user=user, item=item, form_data=FORM)
    if state == "draft":
        return case
    case_materials_attach(case, user)
    case = services.case_submit(case=case, actor=user)
    if state == "submitted":
        return case
    assert state == "accepted" and clerk is not None
    return services.case_accept(case=case, clerk=clerk).case


def case_extend_approved(
    case: Case, *, requester: Any, head: Any, working_days: int, reason: str, basis: str
) -> Case:
    """An extension asked by ``requester`` and approved by the head of the agency (行政许可法 art. 42)."""
    request = services.case_extension_request(
        case=case, requester=requester, working_days=working_days, reason=reason, basis=basis
    )
    services.case_extension_decide(request=request, head=head, approve=True)
    case.refresh_from_db()
    return case


PLEDGE = "本人承诺：本人无违法犯罪记录，如有不实，愿意承担相应法律责任。"


def pledge_item_of(department: Any, **overrides: Any) -> Item:
    """An item whose 无犯罪记录证明 may be replaced by a signed pledge (告知承诺, trust level D)."""
    return case_item(
        department=department,
        **overrides,
        materials=[
            material("id-card"),
            material("no-crime-record", name="无犯罪记录证明", pledge_allowed=True, pledge_text=PLEDGE),
        ],
    )


def pledged_and_submitted(user: Any, item: Item) -> Case:
    """A submitted case of ``pledge_item_of`` with the ID card uploaded and the pledge signed."""
    case = services.case_start(user=user, item=item, form_data={"applicant_name": "张三"})
    services.case_material_attach(
        case=case, user=user, material=material_of(item, "id-card"), upload=upload()
    )
    services.case_material_pledge(
        case=case, user=user, material=material_of(item, "no-crime-record"), accepted=True
    )
    return services.case_submit(case=case, actor=user)


def company_of(representative: Person, n: int = 1) -> Company:
    return Company.objects.create(
        name=f"福州市测试{n}有限公司",
        credit_code=valid_credit_code(900 + n),
        legal_representative_name=str(representative),
        legal_representative=representative,
    )


def agency(company: Company, agent: Person, *, scopes: list[str], days: int = 30) -> Agency:
    """A live (or, with negative ``days``, expired) authorisation; the agent switches to act for the company."""
    assert company.legal_representative is not None
    granted = Agency.objects.create(
        company=company,
        agent=agent,
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=days),
        granted_by=company.legal_representative.user,
    )
    Person.objects.filter(pk=agent.pk).update(acting_for=company)
    return granted
