"""Assisted filing (帮办代办): identifying the resident at the point, their consent, the case in their name."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from onewindow.assist import services
from onewindow.assist.models import AssistedFiling, ConsentMethod
from onewindow.assist.tests.conftest import RESIDENT_ID, RESIDENT_NAME, RESIDENT_PHONE, signature_png
from onewindow.cases.models import Case, CaseStatus, EventAction
from onewindow.cases.selectors import cases_for_applicant
from onewindow.cases.tests.factories import FORM, material_of, upload
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.identity.card_readers import IdCard
from onewindow.identity.models import AssuranceLevel, Person
from onewindow.identity.sms import SandboxSmsGateway

pytestmark = pytest.mark.django_db


def _resident(helper, station):
    return services.assist_resident_from_card(
        helper=helper,
        centre=station,
        card=IdCard(name=RESIDENT_NAME, id_number=RESIDENT_ID),
        phone=RESIDENT_PHONE,
    )


def _materials(item):
    return [(material_of(item, key), upload(f"{key}.pdf")) for key in ("id-card", "application-form")]


def test_a_resident_without_an_account_is_registered_and_verified_in_person_from_the_card(helper, station):
    person = _resident(helper, station)
    assert person.user.name == RESIDENT_NAME
    assert person.assurance_level == AssuranceLevel.L4
    assert person.phone == RESIDENT_PHONE
    # No password: the resident signs in later by SMS code to the phone registered here.
    assert not person.user.has_usable_password()


def test_an_unregistered_resident_needs_a_phone_number_and_nothing_is_written(helper, station):
    with pytest.raises(DomainError) as refused:
        services.assist_resident_from_card(
            helper=helper, centre=station, card=IdCard(name=RESIDENT_NAME, id_number=RESIDENT_ID)
        )
    assert refused.value.code == "assist.phone_required"
    assert not Person.objects.exists()


def test_a_registered_resident_is_found_and_the_name_must_match_the_card(helper, station):
    first = _resident(helper, station)
    assert _resident(helper, station) == first
    with pytest.raises(DomainError) as refused:
        services.assist_resident_from_card(
            helper=helper, centre=station, card=IdCard(name="别人", id_number=RESIDENT_ID)
        )
    assert refused.value.code == "assist.name_mismatch"


def test_only_staff_of_the_point_assist(window_clerk, centre, station, helper):
    card = IdCard(name=RESIDENT_NAME, id_number=RESIDENT_ID)
    with pytest.raises(PermissionDenied):
        services.assist_resident_from_card(
            helper=window_clerk, centre=station, card=card, phone=RESIDENT_PHONE
        )
    # A city centre is not a grassroots point, even for its own clerk.
    with pytest.raises(PermissionDenied):
        services.assist_resident_from_card(
            helper=window_clerk, centre=centre, card=card, phone=RESIDENT_PHONE
        )


def test_a_signed_consent_files_the_case_in_the_residents_name(helper, station, item):
    person = _resident(helper, station)
    filing = services.assisted_filing_create(
        helper=helper,
        centre=station,
        person=person,
        item=item,
        form_data=FORM,
        materials=_materials(item),
        consent_method=ConsentMethod.SIGNATURE,
        signature=signature_png(),
    )
    case = filing.case
    assert case.applicant == person and case.filed_by == helper and not case.walk_in
    assert case.status == CaseStatus.SUBMITTED
    started = case.events.get(action=EventAction.STARTED)
    assert started.note == f"由{station.name}帮办" and started.public
    assert filing.consent_signature.startswith("data:image/png;base64,")
    assert RESIDENT_NAME in filing.consent_text and station.name in filing.consent_text
    actions = set(AuditEntry.objects.filter(actor=helper).values_list("action", flat=True))
    assert {"case.assisted_file", "assisted_filing.create", "case.submitted"} <= actions
    # The resident sees it as their own once signed in.
    assert list(cases_for_applicant(user=person.user)) == [case]


@pytest.mark.parametrize(
    "signature", ["", "data:image/png;base64,xx", signature_png(20, 10), "data:text/plain;base64,aGk="]
)
def test_a_missing_or_bogus_signature_is_refused_and_nothing_is_written(helper, station, item, signature):
    person = _resident(helper, station)
    with pytest.raises(DomainError) as refused:
        services.assisted_filing_create(
            helper=helper,
            centre=station,
            person=person,
            item=item,
            form_data=FORM,
            materials=_materials(item),
            consent_method=ConsentMethod.SIGNATURE,
            signature=signature,
        )
    assert refused.value.code == "assist.signature_invalid"
    assert not Case.objects.exists() and not AssistedFiling.objects.exists()


def test_an_sms_code_is_consent_and_a_wrong_one_is_refused(helper, station, item):
    person = _resident(helper, station)
    services.assist_consent_sms_send(helper=helper, centre=station, person=person)
    code = SandboxSmsGateway.last_code(RESIDENT_PHONE)
    assert code
    arguments = dict(
        helper=helper,
        centre=station,
        person=person,
        item=item,
        form_data=FORM,
        consent_method=ConsentMethod.SMS,
    )
    with pytest.raises(DomainError) as refused:
        services.assisted_filing_create(
            **arguments, materials=_materials(item), sms_code="000000" if code != "000000" else "111111"
        )
    assert refused.value.code == "sms_code.invalid"
    assert not Case.objects.exists()
    filing = services.assisted_filing_create(**arguments, materials=_materials(item), sms_code=code)
    assert filing.consent_method == ConsentMethod.SMS and filing.consent_signature == ""


def test_without_consent_nothing_is_filed(helper, station, item):
    person = _resident(helper, station)
    with pytest.raises(DomainError) as refused:
        services.assisted_filing_create(
            helper=helper,
            centre=station,
            person=person,
            item=item,
            form_data=FORM,
            materials=[],
            consent_method="",
        )
    assert refused.value.code == "assist.consent_required"


def test_an_incomplete_application_is_refused_with_every_problem(helper, station, item):
    person = _resident(helper, station)
    with pytest.raises(DomainError) as refused:
        services.assisted_filing_create(
            helper=helper,
            centre=station,
            person=person,
            item=item,
            form_data={},
            materials=[],
            consent_method=ConsentMethod.SIGNATURE,
            signature=signature_png(),
        )
    assert refused.value.code == "case_incomplete"
    assert len(refused.value.problems) >= 2
    assert not Case.objects.exists()
    assert get_user_model().objects.filter(pk=person.user_id).exists()
