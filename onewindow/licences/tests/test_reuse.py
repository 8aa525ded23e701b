"""Reuse in applications (免提交): a licence from the wallet answers a material whose source is the library,
as its 108号 watermarked copy with trust level A — picked by the applicant, or attached when the case starts
if the holder consented; without one the applicant uploads the material instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.cases import hooks
from onewindow.cases import services as case_services
from onewindow.cases.models import CaseMaterial, CaseStatus, TrustLevel
from onewindow.cases.tests.factories import FORM, agency, case_item, company_of, material_of, upload
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import AgencyScope
from onewindow.licences.models import LicenceAccess
from onewindow.licences.services import copies, reuse
from onewindow.licences.tests.factories import licence_issued, licence_type
from onewindow.licences.wallet_selectors import holder_of
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, person

pytestmark = pytest.mark.django_db

TYPE_CODE = "11100000000013338W011"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def started_hook(monkeypatch):
    """The registration ``LicencesConfig.ready()`` makes, for this test only."""
    monkeypatch.setitem(hooks._registry, hooks.CaseHook.STARTED, [reuse.licences_attach_on_start])


@pytest.fixture
def food_type(department_b):
    return licence_type(department_b, code=TYPE_CODE, name="营业执照")


@pytest.fixture
def licence(citizen, food_type):
    return licence_issued(holder_person=citizen.person, licence_type=food_type)


@pytest.fixture
def item(department_a):
    return case_item(
        department=department_a,
        name="食品经营许可",
        materials=[
            material("application-form"),
            material("business-licence", source=MaterialSource.ELICENCE, licence_type_code=TYPE_CODE),
        ],
    )


@pytest.fixture
def draft(citizen, item):
    return case_services.case_start(user=citizen, item=item, form_data=FORM)


def pick_url(case, key="business-licence", name="pick"):
    return reverse(f"licences:{name}", args=[case.pk, key])


def _consent(user):
    reuse.reuse_consent_grant(holder=holder_of(person=user.person), user=user)


# --- the service -------------------------------------------------------------------------------------------


def test_a_licence_is_attached_as_its_watermarked_copy_with_trust_level_a(
    citizen, draft, licence, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = reuse.licence_attach_to_case(
            case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=licence
        )
        # Attached at once by its identifier; the copy is drawn by the worker after the commit.
        assert not row.file.name
    row.refresh_from_db()
    assert (row.reference, row.trust_level, row.content_type) == (
        licence.identifier,
        TrustLevel.A,
        "application/pdf",
    )
    assert row.file.read().startswith(b"%PDF") and "复印件" in row.original_name
    assert row.sha256 and row.size
    assert AuditEntry.objects.filter(action="case.material_file_fill", target_id=str(draft.pk)).exists()
    access = LicenceAccess.objects.get()
    assert access.holder_code_hash == licence.holder_code_hash and list(access.licences.all()) == [licence]
    assert "食品经营许可" in access.purpose


def test_a_licence_of_another_type_is_refused(citizen, draft, department_b):
    other = licence_issued(holder_person=citizen.person, licence_type=licence_type(department_b))
    with pytest.raises(DomainError) as refused:
        reuse.licence_attach_to_case(
            case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=other
        )
    assert refused.value.code == "licence.wrong_type"
    assert not CaseMaterial.objects.exists()


def test_someone_elses_licence_is_not_found(citizen, another_citizen, draft, food_type):
    theirs = licence_issued(holder_person=another_citizen.person, licence_type=food_type)
    with pytest.raises(DomainError) as refused:
        reuse.licence_attach_to_case(
            case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=theirs
        )
    assert refused.value.status == 404
    assert not CaseMaterial.objects.exists()


def test_an_expired_licence_is_refused(citizen, draft, licence, monkeypatch):
    later = licence.valid_until + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)
    with pytest.raises(DomainError) as refused:
        reuse.licence_attach_to_case(
            case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=licence
        )
    assert (refused.value.status, refused.value.code) == (409, "licence.not_usable")


def test_a_material_the_applicant_provides_cannot_take_a_licence(citizen, draft, licence):
    with pytest.raises(DomainError) as refused:
        reuse.licence_attach_to_case(
            case=draft, user=citizen, material=material_of(draft.item, "application-form"), licence=licence
        )
    assert refused.value.code == "licence.material_not_elicence"


# --- attached when the case starts ---------------------------------------------------------------------------


def test_with_consent_the_licence_is_attached_when_the_case_starts(started_hook, citizen, item, licence):
    _consent(citizen)
    case = case_services.case_start(user=citizen, item=item, form_data=FORM)
    row = case.materials.get()
    assert (row.reference, row.trust_level) == (licence.identifier, TrustLevel.A)
    assert "materials.business-licence" not in {p.field for p in case_services.submission_problems(case)}


def test_without_consent_nothing_is_attached(started_hook, citizen, item, licence):
    case = case_services.case_start(user=citizen, item=item, form_data=FORM)
    assert not case.materials.exists()


def test_withdrawn_consent_attaches_nothing(started_hook, citizen, item, licence):
    _consent(citizen)
    reuse.reuse_consent_withdraw(holder=holder_of(person=citizen.person), user=citizen)
    case = case_services.case_start(user=citizen, item=item, form_data=FORM)
    assert not case.materials.exists()


def test_without_a_valid_licence_the_case_still_starts(started_hook, citizen, item, food_type):
    _consent(citizen)
    case = case_services.case_start(user=citizen, item=item, form_data=FORM)
    assert case.status == CaseStatus.DRAFT and not case.materials.exists()


def test_a_company_case_takes_the_companys_licence(started_hook, citizen, item, food_type):
    company = company_of(citizen.person)
    company_licence = licence_issued(holder_company=company, licence_type=food_type)
    licence_issued(holder_person=citizen.person, licence_type=food_type)
    reuse.reuse_consent_grant(holder=holder_of(company=company), user=citizen)
    citizen.person.acting_for = company
    citizen.person.save(update_fields=["acting_for"])
    case = case_services.case_start(user=citizen, item=item, company=company, form_data=FORM)
    assert case.materials.get().reference == company_licence.identifier


# --- the picker page --------------------------------------------------------------------------------------------


def test_the_picker_lists_the_holders_valid_licences_of_that_type(
    client_as, citizen, another_citizen, draft, licence, food_type, department_b
):
    theirs = licence_issued(holder_person=another_citizen.person, licence_type=food_type)
    other_type = licence_issued(holder_person=citizen.person, licence_type=licence_type(department_b))
    page = client_as(citizen).get(pick_url(draft)).content.decode()
    assert str(licence.pk) in page
    assert str(theirs.pk) not in page and str(other_type.pk) not in page


def test_picking_a_licence_attaches_it_and_returns_to_the_case(client_as, citizen, draft, licence):
    response = client_as(citizen).post(pick_url(draft), {"licence": str(licence.pk)})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("cases:case", args=[draft.pk]) + "#m-business-licence")
    assert draft.materials.get().reference == licence.identifier


@pytest.mark.parametrize("choice", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_picking_nothing_or_an_unknown_licence_is_refused(client_as, citizen, draft, licence, choice):
    response = client_as(citizen).post(pick_url(draft), {"licence": choice})
    assert response.status_code == 400
    assert response.context["error"].code == "licence.not_chosen"
    assert not CaseMaterial.objects.exists()


def test_picking_someone_elses_licence_is_refused(client_as, citizen, another_citizen, draft, food_type):
    theirs = licence_issued(holder_person=another_citizen.person, licence_type=food_type)
    response = client_as(citizen).post(pick_url(draft), {"licence": str(theirs.pk)})
    assert response.status_code == 400
    assert not CaseMaterial.objects.exists()


def test_another_citizens_case_is_not_found(client_as, another_citizen, draft, licence):
    client = client_as(another_citizen)
    assert client.get(pick_url(draft)).status_code == 404
    assert client.post(pick_url(draft), {"licence": str(licence.pk)}).status_code == 404
    assert not CaseMaterial.objects.exists()


def test_a_material_the_library_does_not_supply_has_no_picker(client_as, citizen, draft):
    assert client_as(citizen).get(pick_url(draft, "application-form")).status_code == 404
    assert client_as(citizen).get(pick_url(draft, "no-such-material")).status_code == 404


def test_without_the_licence_the_applicant_uploads_instead(client_as, citizen, draft):
    response = client_as(citizen).post(pick_url(draft, name="pick_upload"), {"file": upload("营业执照.pdf")})
    assert response.status_code == 302
    row = draft.materials.get()
    assert (row.trust_level, row.reference) == (TrustLevel.C, "")


def test_an_upload_that_is_not_a_document_is_refused(client_as, citizen, draft):
    response = client_as(citizen).post(
        pick_url(draft, name="pick_upload"), {"file": upload("x.pdf", content=b"MZ\x90\x00" + b"\x00" * 64)}
    )
    assert response.status_code == 415
    assert not CaseMaterial.objects.exists()


def test_a_submitted_case_takes_no_licence(client_as, citizen, draft, licence):
    case_services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    case_services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "business-licence"), upload=upload()
    )
    case_services.case_submit(case=draft, actor=citizen)
    client = client_as(citizen)
    assert "This application can no longer be changed" in client.get(pick_url(draft)).content.decode() or (
        "不能再修改" in client.get(pick_url(draft)).content.decode()
    )
    response = client.post(pick_url(draft), {"licence": str(licence.pk)})
    assert response.status_code == 409
    assert draft.materials.filter(trust_level=TrustLevel.A).count() == 0


def test_an_agent_without_the_licences_scope_uploads_instead(client_as, citizen, item, food_type):
    company = company_of(citizen.person)
    company_licence = licence_issued(holder_company=company, licence_type=food_type)
    agent = person(40, name="王五")
    agency(company, agent, scopes=[AgencyScope.APPLY])
    case = case_services.case_start(user=agent.user, item=item, company=company, form_data=FORM)
    client = client_as(agent.user)
    assert str(company_licence.pk) not in client.get(pick_url(case)).content.decode()
    response = client.post(pick_url(case), {"licence": str(company_licence.pk)})
    assert response.status_code == 403
    assert not CaseMaterial.objects.exists()


def test_the_clerk_sees_the_picked_licence_as_trust_level_a(client_as, citizen, draft, licence, department_a):
    client_as(citizen).post(pick_url(draft), {"licence": str(licence.pk)})
    case_services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "application-form"), upload=upload()
    )
    case_services.case_submit(case=draft, actor=citizen)
    clerk = MembershipFactory(
        user=UserFactory(username="clerk_x", is_staff=True), department=department_a, role=Role.WINDOW_CLERK
    ).user
    page = client_as(clerk).get(reverse("cases_staff:case_detail", args=[draft.pk])).content.decode()
    assert 'class="trust trust-A"' in page and licence.identifier in page


def test_an_apply_only_agent_starting_a_company_case_attaches_nothing(started_hook, citizen, item, food_type):
    # The company consented, but the agent may only apply: its licences stay out of the agent's reach.
    company = company_of(citizen.person)
    licence_issued(holder_company=company, licence_type=food_type)
    reuse.reuse_consent_grant(holder=holder_of(company=company), user=citizen)
    agent = person(41, name="赵六")
    agency(company, agent, scopes=[AgencyScope.APPLY])
    case = case_services.case_start(user=agent.user, item=item, company=company, form_data=FORM)
    assert not case.materials.exists()
    assert not LicenceAccess.objects.exists()


def test_an_agent_with_the_licences_scope_gets_the_companys_licence(started_hook, citizen, item, food_type):
    company = company_of(citizen.person)
    company_licence = licence_issued(holder_company=company, licence_type=food_type)
    reuse.reuse_consent_grant(holder=holder_of(company=company), user=citizen)
    agent = person(42, name="钱七")
    agency(company, agent, scopes=[AgencyScope.APPLY, AgencyScope.LICENCES])
    case = case_services.case_start(user=agent.user, item=item, company=company, form_data=FORM)
    assert case.materials.get().reference == company_licence.identifier


def test_the_copy_is_drawn_apart_from_the_case_start(started_hook, citizen, item, licence, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    # Drawing is the worker's job, never the applicant's request: a failing renderer cannot refuse the start.
    monkeypatch.setattr(copies, "licence_pdf", broken)
    _consent(citizen)
    case = case_services.case_start(user=citizen, item=item, form_data=FORM)
    row = case.materials.get()
    assert row.reference == licence.identifier and not row.file.name
    assert LicenceAccess.objects.exists()
    with pytest.raises(RuntimeError):
        copies.licence_copy_draw_pending(row.pk)
    row.refresh_from_db()
    assert not row.file.name  # still waiting: the queue retries it, or the first download draws it


def test_the_worker_job_is_queued_with_the_attachment_and_runs_once(citizen, draft, licence, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    from onewindow.licences.tasks import licence_copy_draw_job

    row = reuse.licence_attach_to_case(
        case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=licence
    )
    # The task row is written in the attachment's transaction (the outbox): both commit or neither.
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("licence_copy_draw_job") and queued.args_kwargs["kwargs"] == {
        "case_material_id": str(row.pk)
    }
    assert licence_copy_draw_job.call(case_material_id=str(row.pk)) is True
    row.refresh_from_db()
    first = row.file.name
    assert first and row.file.read().startswith(b"%PDF")
    assert licence_copy_draw_job.call(case_material_id=str(row.pk)) is False  # already drawn
    row.refresh_from_db()
    assert row.file.name == first


def test_the_first_download_draws_a_copy_not_drawn_yet(client_as, citizen, draft, licence):
    row = reuse.licence_attach_to_case(
        case=draft, user=citizen, material=material_of(draft.item, "business-licence"), licence=licence
    )
    assert not row.file.name
    response = client_as(citizen).get(reverse("cases:material_file", args=[draft.pk, row.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    row.refresh_from_db()
    assert row.file.name


def test_usable_licences_come_with_their_key_but_never_its_private_half(
    draft, licence, django_assert_num_queries
):
    from onewindow.licences.wallet_selectors import licences_usable_for_case

    wanted = material_of(draft.item, "business-licence")
    with django_assert_num_queries(1):
        found = licences_usable_for_case(case=draft, material=wanted).first()
        assert found is not None and found.signing_key.key_id == licence.signing_key.key_id
    assert "private_key" in found.signing_key.get_deferred_fields()
