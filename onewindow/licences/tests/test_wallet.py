"""我的证照: the holder's licences (a person's, or a company's for an agent with the ``licences`` scope), the
licence page, the PDF, share codes and the public page behind them (亮证), 用证记录 and the reuse consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.cases.tests.factories import agency, company_of
from onewindow.core import clock
from onewindow.core.masking import mask_citizen_id
from onewindow.identity.models import AgencyScope
from onewindow.licences import services
from onewindow.licences.models import LicenceAccess, LicenceShare, ReuseConsent
from onewindow.licences.services import reuse
from onewindow.licences.tests.factories import licence_issued, licence_type
from onewindow.licences.wallet_selectors import holder_of
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def food_type(department_a):
    return licence_type(department_a)


@pytest.fixture
def licence(citizen, food_type):
    return licence_issued(holder_person=citizen.person, licence_type=food_type)


def url(name, *args):
    return reverse(f"licences:{name}", args=args)


def _share(client, licence, **data):
    return client.post(url("share_create", licence.pk), {"purpose": "向房东出示", "hours": "24", **data})


# --- the list ----------------------------------------------------------------------------------------------


def test_the_wallet_lists_the_holders_licences_only(client_as, citizen, another_citizen, licence, food_type):
    others = licence_issued(holder_person=another_citizen.person, licence_type=food_type)
    page = client_as(citizen).get(url("wallet")).content.decode()
    assert licence.number in page and others.number not in page
    assert url("licence", licence.pk) in page


def test_the_wallet_list_takes_a_fixed_number_of_queries(
    client_as, citizen, food_type, django_assert_max_num_queries
):
    for _ in range(5):
        licence_issued(holder_person=citizen.person, licence_type=food_type)
    client = client_as(citizen)
    with django_assert_max_num_queries(11):
        response = client.get(url("wallet"))
    assert response.content.decode().count("食品经营许可证") >= 5


def test_signing_in_is_required(client, licence):
    response = client.get(url("wallet"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(url("licence", licence.pk)).status_code == 302


def test_an_agent_with_the_licences_scope_sees_the_companys_licences(client_as, citizen, food_type):
    company = company_of(citizen.person)
    company_licence = licence_issued(holder_company=company, licence_type=food_type)
    agent = person(30, name="王五")
    agency(company, agent, scopes=[AgencyScope.APPLY, AgencyScope.LICENCES])
    page = client_as(agent.user).get(url("wallet")).content.decode()
    assert company_licence.number in page and company.name in page


def test_an_agent_without_the_licences_scope_sees_none_of_them(client_as, citizen, food_type):
    company = company_of(citizen.person)
    company_licence = licence_issued(holder_company=company, licence_type=food_type)
    agent = person(31, name="赵六")
    agency(company, agent, scopes=[AgencyScope.APPLY])
    client = client_as(agent.user)
    assert company_licence.number not in client.get(url("wallet")).content.decode()
    assert client.get(url("licence", company_licence.pk)).status_code == 404


# --- one licence -------------------------------------------------------------------------------------------


def test_the_licence_page_shows_the_face_with_the_id_number_masked(client_as, citizen, licence):
    page = client_as(citizen).get(url("licence", licence.pk)).content.decode()
    assert "预包装食品销售" in page and "经营范围" in page
    assert licence.identifier in page
    assert citizen.person.id_number not in page
    assert mask_citizen_id(citizen.person.id_number) in page


def test_another_citizens_licence_is_not_found(client_as, another_citizen, licence):
    client = client_as(another_citizen)
    assert client.get(url("licence", licence.pk)).status_code == 404
    assert client.get(url("pdf", licence.pk)).status_code == 404
    assert _share(client, licence).status_code == 404
    assert not LicenceShare.objects.exists()


def test_the_pdf_downloads(client_as, citizen, licence):
    response = client_as(citizen).get(url("pdf", licence.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


# --- share codes (亮证) -------------------------------------------------------------------------------------


def test_a_share_code_is_shown_once_and_only_its_hash_is_kept(client_as, citizen, licence):
    response = _share(client_as(citizen), licence)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    code = response.context["new_code"]
    share = LicenceShare.objects.get()
    assert share.code_hash != code and code not in share.code_hash
    assert share.purpose == "向房东出示"
    assert dt.timedelta(hours=23) < share.expires_at - clock.now() <= dt.timedelta(hours=24)
    assert url("shared", code) in response.content.decode()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"purpose": "  "}, "licence.share_purpose_required"),
        ({"hours": "169"}, "licence.share_expiry_invalid"),
        ({"hours": "0"}, "licence.share_expiry_invalid"),
        ({"hours": "soon"}, "licence.share_expiry_invalid"),
    ],
)
def test_a_share_code_needs_a_purpose_and_at_most_seven_days(client_as, citizen, licence, data, code):
    response = _share(client_as(citizen), licence, **data)
    assert response.status_code == 400
    assert response.context["error"].code == code
    assert not LicenceShare.objects.exists()


def test_a_revoked_licence_cannot_be_shared(client_as, citizen, licence, department_a):
    approver = MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user
    services.licence_revoke(
        licence=licence, actor=approver, reason="吊销", basis="《食品安全法》第一百三十五条"
    )
    response = _share(client_as(citizen), licence)
    assert response.status_code == 409
    assert not LicenceShare.objects.exists()


def test_the_shared_page_shows_the_licence_masked_while_the_code_lives(client, client_as, citizen, licence):
    code = _share(client_as(citizen), licence).context["new_code"]
    response = client.get(url("shared", code))
    page = response.content.decode()
    assert response.status_code == 200
    assert licence.number in page and "预包装食品销售" in page
    assert citizen.person.id_number not in page
    assert LicenceShare.objects.get().views == 1


def test_a_revoked_share_code_opens_nothing(client, client_as, citizen, licence):
    owner = client_as(citizen)
    code = _share(owner, licence).context["new_code"]
    share = LicenceShare.objects.get()
    response = owner.post(url("share_revoke", licence.pk, share.pk))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert client.get(url("shared", code)).status_code == 404


def test_an_expired_or_unknown_share_code_opens_nothing(client, citizen, licence, monkeypatch):
    _share_row, code = reuse.licence_share_create(licence=licence, user=citizen, purpose="出示", hours=1)
    later = clock.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get(url("shared", code)).status_code == 404
    assert client.get(url("shared", "not-a-real-code-123")).status_code == 404


def test_another_citizen_cannot_revoke_a_share_code(client_as, citizen, another_citizen, licence):
    reuse.licence_share_create(licence=licence, user=citizen, purpose="出示", hours=1)
    share = LicenceShare.objects.get()
    assert client_as(another_citizen).post(url("share_revoke", licence.pk, share.pk)).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_the_shared_page_is_rate_limited(client, settings, citizen, licence):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 60)}
    _share_row, code = reuse.licence_share_create(licence=licence, user=citizen, purpose="出示", hours=1)
    assert [client.get(url("shared", code)).status_code for _ in range(3)] == [200, 200, 429]


# --- 用证记录 and consent -----------------------------------------------------------------------------------


def test_the_access_log_shows_the_holders_look_ups_only(
    client_as, citizen, another_citizen, licence, department_a, django_assert_max_num_queries
):
    own = holder_of(person=citizen.person)
    other = holder_of(person=another_citizen.person)
    for n in range(3):
        reuse.licence_access_record(
            holder_code_hash=own.code_hash,
            purpose=f"核验申请材料{n}",
            licences=[licence],
            department=department_a,
            client_name="市场监管审批系统",
            case_number=f"FZ-{n}",
        )
    reuse.licence_access_record(holder_code_hash=other.code_hash, purpose="别人的记录", licences=[])
    client = client_as(citizen)
    with django_assert_max_num_queries(11):
        page = client.get(url("accesses")).content.decode()
    assert "核验申请材料2" in page and "市场监管审批系统" in page and department_a.name in page
    assert "别人的记录" not in page


def test_the_consent_switch_grants_and_withdraws(client_as, citizen):
    client = client_as(citizen)
    assert client.post(url("consent"), {"consent": "on"}).status_code == 302
    consent = ReuseConsent.objects.get()
    assert consent.withdrawn_at is None and consent.granted_by == citizen
    assert client.post(url("consent"), {"consent": "on"}).status_code == 302
    assert ReuseConsent.objects.count() == 1
    client.post(url("consent"), {"consent": "off"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert LicenceAccess.objects.count() == 0
