"""Materials the platform supplies by reference (an e-licence's watermarked copy, trust level A): the
``STARTED`` hook, ``case_material_attach_reference``, the pre-review's rule for e-licence materials, and how
the applicant's and the clerk's pages show them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import hooks, services
from onewindow.cases.models import CaseMaterial, CaseStatus, TrustLevel
from onewindow.cases.tests.factories import FORM, PDF_BYTES, case_item, material_of, upload
from onewindow.catalogue.models import MaterialSource, Necessity
from onewindow.catalogue.tests.factories import material
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db

IDENTIFIER = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


@pytest.fixture
def licence_item(department_a):
    """An item asking for an application form (upload), a business licence (e-licence library) and the
    household register (shared data)."""
    return case_item(
        department=department_a,
        name="食品经营许可",
        materials=[
            material("application-form"),
            material(
                "business-licence",
                source=MaterialSource.ELICENCE,
                licence_type_code="11100000000013338W011",
            ),
            material("household-register", name="户口簿", source=MaterialSource.SHARED),
        ],
    )


@pytest.fixture
def draft(citizen, licence_item):
    return services.case_start(user=citizen, item=licence_item, form_data=FORM)


def _attach_reference(case, user, key="business-licence", reference=IDENTIFIER, **overrides):
    return services.case_material_attach_reference(
        case=case,
        user=user,
        material=material_of(case.item, key),
        reference=reference,
        content=overrides.pop("content", PDF_BYTES),
        name=overrides.pop("name", "营业执照（电子证照副本）.pdf"),
        **overrides,
    )


# --- the STARTED hook --------------------------------------------------------------------------------------


def test_starting_a_case_runs_the_started_hooks_in_its_transaction(monkeypatch, citizen, licence_item):
    seen = []
    monkeypatch.setitem(hooks._registry, hooks.CaseHook.STARTED, [lambda **kwargs: seen.append(kwargs)])
    case = services.case_start(user=citizen, item=licence_item)
    assert seen == [{"case": case, "actor": citizen}]


def test_a_refusing_started_hook_leaves_no_case(monkeypatch, citizen, licence_item):
    def refuse(**_):
        raise DomainError(code="nope", message="不行")

    monkeypatch.setitem(hooks._registry, hooks.CaseHook.STARTED, [refuse])
    with pytest.raises(DomainError):
        services.case_start(user=citizen, item=licence_item)
    assert not licence_item.cases.exists()


# --- attaching by reference -----------------------------------------------------------------------------


def test_a_reference_is_stored_with_its_copy_as_trust_level_a(citizen, draft):
    row = _attach_reference(draft, citizen)
    assert (row.reference, row.trust_level, row.content_type) == (IDENTIFIER, TrustLevel.A, "application/pdf")
    assert row.file.read() == PDF_BYTES and row.original_name == "营业执照（电子证照副本）.pdf"
    entry = AuditEntry.objects.filter(action="case.material_attach").latest("seq")
    assert entry.changes["reference"] == IDENTIFIER and entry.changes["trust_level"] == "A"


def test_the_same_reference_twice_keeps_one_row(citizen, draft):
    first = _attach_reference(draft, citizen)
    assert _attach_reference(draft, citizen).pk == first.pk
    assert draft.materials.count() == 1


def test_a_material_the_applicant_must_provide_is_refused(citizen, draft):
    with pytest.raises(DomainError) as refused:
        _attach_reference(draft, citizen, key="application-form")
    assert refused.value.code == "material_not_by_reference"
    assert not CaseMaterial.objects.exists()


@pytest.mark.parametrize("reference", ["", "   ", "x" * 201])
def test_a_missing_or_overlong_reference_is_refused(citizen, draft, reference):
    with pytest.raises(DomainError) as refused:
        _attach_reference(draft, citizen, reference=reference)
    assert refused.value.code == "reference_invalid"
    assert not CaseMaterial.objects.exists()


def test_a_file_that_is_not_a_document_is_refused(citizen, draft):
    with pytest.raises(DomainError) as refused:
        _attach_reference(draft, citizen, content=b"MZ\x90\x00" + b"\x00" * 64)
    assert refused.value.status == 415
    assert not CaseMaterial.objects.exists()


def test_another_citizen_cannot_attach_to_the_case(another_citizen, draft):
    with pytest.raises(DomainError) as refused:
        _attach_reference(draft, another_citizen)
    assert refused.value.status == 404
    assert not CaseMaterial.objects.exists()


def test_a_submitted_case_takes_no_more_materials(citizen, draft):
    _attach_reference(draft, citizen)
    services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    services.case_submit(case=draft, actor=citizen)
    with pytest.raises(DomainError) as refused:
        _attach_reference(draft, citizen, reference=IDENTIFIER[:-1] + "X")
    assert refused.value.status == 409


# --- the pre-review -------------------------------------------------------------------------------------


def _codes(case):
    return {problem.field: problem.code for problem in services.submission_problems(case)}


def test_a_material_the_platform_can_obtain_never_blocks_the_submission(citizen, draft):
    # 国务院令716 art. 7: without a licence in the wallet the department looks it up at acceptance.
    problems = _codes(draft)
    assert "materials.business-licence" not in problems  # e-licence library
    assert "materials.household-register" not in problems  # shared data
    services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    assert services.case_submit(case=draft, actor=citizen).status == CaseStatus.SUBMITTED


def test_without_the_licence_an_upload_answers_the_material(citizen, draft):
    services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "business-licence"), upload=upload()
    )
    assert "materials.business-licence" not in _codes(draft)


def test_an_optional_e_licence_material_is_not_asked_for(citizen, department_a):
    item = case_item(
        department=department_a,
        materials=[
            material(
                "business-licence",
                source=MaterialSource.ELICENCE,
                licence_type_code="11100000000013338W011",
                necessity=Necessity.OPTIONAL,
            )
        ],
    )
    case = services.case_start(user=citizen, item=item, form_data=FORM)
    assert "materials.business-licence" not in _codes(case)


def test_a_case_with_its_licence_chosen_submits(citizen, draft):
    _attach_reference(draft, citizen)
    services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    assert services.case_submit(case=draft, actor=citizen).status == CaseStatus.SUBMITTED


def test_at_the_window_the_clerk_checks_the_licence_instead(clerk_a, citizen, licence_item):
    person = citizen.person
    case = services.case_walk_in_file(
        clerk=clerk_a,
        person=person,
        item=licence_item,
        form_data=FORM,
        materials=[(material_of(licence_item, "application-form"), upload())],
    )
    assert case.status == CaseStatus.SUBMITTED


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_apply_page_says_where_the_licence_comes_from(client_as, citizen, licence_item):
    page = client_as(citizen).get(reverse("cases:apply", args=[licence_item.implementation_code]))
    assert "from My licences" in page.content.decode() or "我的证照" in page.content.decode()


def test_the_applicant_sees_the_licence_taken_from_the_library(client_as, citizen, draft):
    _attach_reference(draft, citizen)
    page = client_as(citizen).get(reverse("cases:case", args=[draft.pk])).content.decode()
    assert IDENTIFIER in page
    assert "A · e-licence library" in page or "A · 电子证照库" in page


def test_the_applicant_is_offered_the_wallet_for_an_e_licence_material(client_as, citizen, draft):
    page = client_as(citizen).get(reverse("cases:case", args=[draft.pk])).content.decode()
    assert reverse("licences:pick", args=[draft.pk, "business-licence"]) in page
    assert reverse("licences:pick", args=[draft.pk, "application-form"]) not in page


def test_the_clerk_sees_trust_level_a_from_the_library_with_the_identifier(
    client_as, clerk_a, citizen, draft
):
    _attach_reference(draft, citizen)
    services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    services.case_submit(case=draft, actor=citizen)
    page = client_as(clerk_a).get(reverse("cases_staff:case_detail", args=[draft.pk])).content.decode()
    assert 'class="trust trust-A"' in page
    assert "e-licence library" in page or "电子证照库" in page
    assert IDENTIFIER in page
