"""Life events as one application (issue #12.2): one merged form, one acceptance with one case number,
stages enforced with the earlier stage's licence handed over at trust level A, one due date; and the
prefill from the profile, the company and the licences (issue #12.3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import selectors, services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode, TrustLevel
from onewindow.cases.tests.factories import agency, case_item, company_of, material_of, upload
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.services import bundle_save
from onewindow.catalogue.tests.factories import material
from onewindow.core.errors import DomainError, NotFound
from onewindow.identity.models import Person
from onewindow.licences.models import Licence
from onewindow.licences.tests.factories import licence_issued, licence_type, signing_key
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, valid_citizen_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


BIRTH_CERT = "11100000MB0160218X001"
ID_PATTERN = "^[1-9]\\d{16}[\\dX]$"


def _form(**own):
    properties = {
        "applicant_name": {"type": "string", "title": "申请人姓名"},
        "id_number": {"type": "string", "title": "公民身份号码", "pattern": ID_PATTERN},
        "mobile": {"type": "string", "title": "手机号码"},
        **own,
    }
    schema = {
        "type": "object",
        "properties": properties,
        "required": ["applicant_name", "id_number", "mobile", *own],
    }
    return {"form_schema": schema, "form_ui": {"order": list(properties)}}


BABY = {"baby_name": {"type": "string", "title": "新生儿姓名"}}


@pytest.fixture
def health(department_b):
    """卫健 issues the 出生医学证明 from the form (face field baby_name) and signs it with its own key."""
    birth_type = licence_type(
        department_b,
        code=BIRTH_CERT,
        name="出生医学证明",
        face_fields=[{"key": "baby_name", "label": "新生儿姓名", "source": "form.baby_name"}],
        validity_years=None,
    )
    signing_key(department_b)
    return birth_type


@pytest.fixture
def items(department_a, department_b, health):
    certificate = case_item(
        department=department_b,
        name="出生医学证明首次签发",
        materials=[material("application-form", generated_online=True)],
        licence_type_code=BIRTH_CERT,
        result_type="证",
        **_form(**BABY),
    )
    registration = case_item(
        department=department_a,
        name="出生登记",
        materials=[
            material("id-card"),
            material(
                "birth-medical-certificate",
                name="出生医学证明",
                source=MaterialSource.ELICENCE,
                licence_type_code=BIRTH_CERT,
            ),
        ],
        **_form(**BABY),
    )
    enrolment = case_item(
        department=department_a,
        name="城乡居民医保参保登记",
        materials=[material("id-card")],
        **_form(insured_name={"type": "string", "title": "参保人姓名"}),
    )
    return certificate, registration, enrolment


@pytest.fixture
def bundle(items):
    certificate, registration, enrolment = items
    return bundle_save(
        actor=None,
        code="newborn",
        name="新生儿出生",
        audience="person",
        description="出生一件事",
        items=[(certificate, 1, False), (registration, 2, False), (enrolment, 2, False)],
        field_map={enrolment.implementation_code: {"insured_name": "baby_name"}},
    )


def _staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=role
    ).user


def _children(parent: Case) -> dict[str, Case]:
    return {c.item_version.name: c for c in Case.objects.filter(parent=parent).select_related("item_version")}


SHARED = {"applicant_name": "张三", "id_number": valid_citizen_id(1), "mobile": "13900000001"}


def _filled(citizen, bundle) -> Case:
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    services.bundle_form_save(case=parent, user=citizen, data={"shared": SHARED | {"baby_name": "张一诺"}})
    services.bundle_material_attach(case=parent, user=citizen, key="id-card", upload=upload("id.pdf"))
    return parent


@pytest.fixture
def submitted(at, citizen, bundle):
    return services.bundle_case_submit(case=_filled(citizen, bundle), actor=citizen)


def _stage_one_concluded(parent, clerk_b, department_b, code=ConclusionCode.APPROVED):
    accepted = services.case_accept(case=_children(parent)["出生医学证明首次签发"], clerk=clerk_b).case
    return services.case_conclude(
        case=accepted,
        actor=_staff("health_approver", department_b, Role.APPROVER),
        code=code,
        result="出生医学证明",
        reason="出生信息核对不符",
    )


# --- one merged form ---------------------------------------------------------------------------------------


def test_the_merged_form_asks_each_shared_field_once_and_maps_renamed_ones(citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    layout = services.bundle_form_layout(parent)

    shared = {field.name: field.item_names for field in layout.merged.shared}
    assert set(shared) == {"applicant_name", "id_number", "mobile", "baby_name"}
    # The catalogue's field map merges 参保人姓名 into the child's name.
    assert shared["baby_name"] == ["出生医学证明首次签发", "出生登记", "城乡居民医保参保登记"]
    assert "id_number" not in str(layout.schema["properties"].get("item1", {}))


def test_saving_the_merged_form_writes_every_items_draft(citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    services.bundle_form_save(case=parent, user=citizen, data={"shared": {"id_number": "11010519491231002X"}})

    children = _children(parent)
    assert {c.form_data["id_number"] for c in children.values()} == {"11010519491231002X"}
    assert children["城乡居民医保参保登记"].form_data.get("insured_name") is None


def test_the_renamed_field_receives_the_shared_value(citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    services.bundle_form_save(case=parent, user=citizen, data={"shared": {"baby_name": "张一诺"}})

    assert _children(parent)["城乡居民医保参保登记"].form_data["insured_name"] == "张一诺"


def test_another_citizens_bundle_form_is_not_found(citizen, another_citizen, bundle, client_as):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    response = client_as(another_citizen).post(
        reverse("cases:bundle_submit", args=[parent.pk]), {"action": "save", "shared.mobile": "13800000000"}
    )

    assert response.status_code == 404
    assert all(c.form_data.get("mobile") != "13800000000" for c in _children(parent).values())


def test_a_field_map_naming_a_field_the_form_lacks_is_refused(items):
    certificate, registration, _enrolment = items
    with pytest.raises(DomainError) as refused:
        bundle_save(
            actor=None,
            code="bad-map",
            name="坏的对照",
            audience="person",
            description="-",
            items=[(certificate, 1, False), (registration, 2, False)],
            field_map={registration.implementation_code: {"no_such_field": "baby_name"}},
        )
    assert refused.value.code == "bundle.field_map_invalid"
    assert "no_such_field" in refused.value.message


def test_one_upload_answers_the_material_for_every_item_that_needs_it(citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    count = services.bundle_material_attach(case=parent, user=citizen, key="id-card", upload=upload("id.pdf"))

    assert count == 2
    children = _children(parent)
    assert children["出生登记"].materials.count() == 1
    assert children["城乡居民医保参保登记"].materials.count() == 1


# --- stages ------------------------------------------------------------------------------------------------


def test_the_later_stage_is_not_asked_for_the_licence_the_earlier_stage_issues(submitted):
    # Submitted although 出生登记 has no 出生医学证明 yet: stage 1 will issue it.
    assert submitted.status == CaseStatus.SUBMITTED


def test_only_the_first_stage_reaches_its_department(submitted, clerk_a, clerk_b):
    children = _children(submitted)

    assert children["出生医学证明首次签发"].status == CaseStatus.SUBMITTED
    assert children["出生登记"].status == CaseStatus.DRAFT
    assert list(selectors.cases_for_department(user=clerk_a)) == []


def test_the_generated_application_form_is_never_asked_and_printed_on_submission(submitted):
    certificate = _children(submitted)["出生医学证明首次签发"]

    row = certificate.materials.get(material=material_of(certificate.item, "application-form"))

    assert row.content_type == "application/pdf" and row.reference.startswith("form:")


def test_the_second_stage_starts_when_the_first_concludes_with_the_licence_attached(
    submitted, clerk_a, clerk_b, department_b
):
    _stage_one_concluded(submitted, clerk_b, department_b)

    registration = _children(submitted)["出生登记"]
    licence = Licence.objects.get(case=_children(submitted)["出生医学证明首次签发"])
    handed = registration.materials.get(material=material_of(registration.item, "birth-medical-certificate"))
    assert registration.status == CaseStatus.SUBMITTED
    assert handed.trust_level == TrustLevel.A and handed.reference == licence.identifier
    assert licence.face["baby_name"] == "张一诺"
    assert registration in selectors.cases_for_department(user=clerk_a)


def test_a_denied_first_stage_withdraws_the_later_ones_and_ends_the_life_event(
    submitted, clerk_b, department_b
):
    _stage_one_concluded(submitted, clerk_b, department_b, code=ConclusionCode.DENIED)

    submitted.refresh_from_db()
    assert _children(submitted)["出生登记"].status == CaseStatus.WITHDRAWN
    assert submitted.status == CaseStatus.CONCLUDED and submitted.conclusion_code is None


# --- one number, one password, one due date -----------------------------------------------------------------


def test_the_first_acceptance_numbers_the_life_event_and_its_items_under_it(
    submitted, clerk_b, clerk_a, department_b
):
    _stage_one_concluded(submitted, clerk_b, department_b)
    registration = services.case_accept(case=_children(submitted)["出生登记"], clerk=clerk_a).case

    submitted.refresh_from_db()
    certificate = _children(submitted)["出生医学证明首次签发"]
    assert submitted.number and submitted.status == CaseStatus.ACCEPTED
    assert certificate.number == f"{submitted.number}-01"
    assert registration.number == f"{submitted.number}-02"


def test_the_due_date_adds_up_the_stages_and_is_recomputed_when_a_stage_starts(
    at, submitted, clerk_b, department_b
):
    services.case_accept(case=_children(submitted)["出生医学证明首次签发"], clerk=clerk_b)
    submitted.refresh_from_db()
    # Accepted Tuesday 2026-09-29: stage 1 (5 working days) + stage 2 (5) over the National Day holiday.
    assert submitted.deadline.working_days == 10
    first_due = submitted.due_on

    at("2026-10-09")
    _stage_one_concluded_after_acceptance(submitted, department_b)

    submitted.refresh_from_db()
    assert submitted.deadline.working_days == 5 and submitted.deadline.start_on.isoformat() == "2026-10-09"
    # Saturday 10-10 is a make-up working day (调休) of the 2026 National Day holiday.
    assert submitted.due_on.isoformat() == "2026-10-15" and submitted.due_on != first_due


def _stage_one_concluded_after_acceptance(parent, department_b):
    services.case_conclude(
        case=_children(parent)["出生医学证明首次签发"],
        actor=_staff("health_approver", department_b, Role.APPROVER),
        code=ConclusionCode.APPROVED,
        result="出生医学证明",
    )


def test_one_query_password_tracks_the_whole_life_event_also_by_an_items_number(submitted, clerk_b):
    accepted = services.case_accept(case=_children(submitted)["出生医学证明首次签发"], clerk=clerk_b)
    submitted.refresh_from_db()
    password = services.case_password_reissue(case=submitted, user=submitted.applicant.user)

    tracking = selectors.case_track(case_number=accepted.case.number, password=password)

    assert tracking.number == submitted.number and tracking.item_name == "新生儿出生"
    assert accepted.query_password == ""
    with pytest.raises(NotFound):
        selectors.case_track(case_number=accepted.case.number, password="WRONGPWD")


# --- prefill ------------------------------------------------------------------------------------------------


def test_a_draft_is_prefilled_from_the_profile(citizen, items):
    case = services.case_start(user=citizen, item=items[2])

    assert case.form_data["id_number"] == valid_citizen_id(1)
    assert case.form_data["mobile"] == "13900000001"
    assert case.form_data["applicant_name"] == "张三"


def test_a_draft_for_a_company_is_prefilled_from_the_company(citizen, another_citizen, department_a):
    company = company_of(Person.objects.get(user=citizen))
    agency(company, Person.objects.get(user=another_citizen), scopes=["apply"])
    item = case_item(
        department=department_a,
        **_form(credit_code={"type": "string"}, company_name={"type": "string"}),
    )

    case = services.case_start(user=another_citizen, item=item, company=company)

    assert case.form_data["credit_code"] == company.credit_code
    assert case.form_data["company_name"] == company.name


def test_a_draft_is_prefilled_from_the_face_of_the_applicants_licences(citizen, items, health):
    licence_issued(
        holder_person=Person.objects.get(user=citizen), licence_type=health, face={"baby_name": "张一诺"}
    )

    case = services.case_start(user=citizen, item=items[1])

    assert case.form_data["baby_name"] == "张一诺"


def test_a_stage_that_cannot_start_by_itself_waits_for_the_applicant_to_complete_and_submit_it(
    monkeypatch, submitted, citizen, clerk_b, department_b
):
    from onewindow.cases import hooks
    from onewindow.catalogue.models import Material

    # A material only the applicant can provide holds the stage (a library one no longer does: see below).
    Material.objects.filter(key="birth-medical-certificate").update(
        source=MaterialSource.APPLICANT, licence_type_code=""
    )
    monkeypatch.setitem(hooks._registry, hooks.CaseHook.STAGE_STARTING, [])
    _stage_one_concluded(submitted, clerk_b, department_b)
    registration = _children(submitted)["出生登记"]
    assert registration.status == CaseStatus.DRAFT
    assert submitted.messages.filter(text__contains="还不能提交").exists()
    with pytest.raises(DomainError) as refused:
        services.bundle_stage_submit(case=submitted, actor=citizen)
    assert refused.value.code == "bundle_incomplete"

    services.case_material_attach(
        case=registration,
        user=citizen,
        material=material_of(registration.item, "birth-medical-certificate"),
        upload=upload("出生证.pdf"),
    )
    services.bundle_stage_submit(case=submitted, actor=citizen)

    assert _children(submitted)["出生登记"].status == CaseStatus.SUBMITTED


def test_a_licence_not_handed_over_does_not_hold_the_stage(monkeypatch, submitted, clerk_b, department_b):
    from onewindow.cases import hooks

    # Nothing handed over (as when the earlier licence could not be copied): the library material never
    # blocks the submission (国务院令716 art. 7); the department looks the licence up at acceptance.
    monkeypatch.setitem(hooks._registry, hooks.CaseHook.STAGE_STARTING, [])
    _stage_one_concluded(submitted, clerk_b, department_b)

    assert _children(submitted)["出生登记"].status == CaseStatus.SUBMITTED


def test_nothing_to_submit_while_the_earlier_stage_is_running(submitted, citizen):
    with pytest.raises(DomainError) as refused:
        services.bundle_stage_submit(case=submitted, actor=citizen)

    assert refused.value.code == "bundle_stage_not_due" and refused.value.status == 409
