"""Public verification pages (证照核验): no sign-in; every outcome stated, the signature checked (a tampered
licence is flagged), the holder masked; the QR short link shows the same page; the public keys are published;
look-ups are rate limited with a 429 page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from onewindow.core import clock
from onewindow.core.masking import mask_citizen_id
from onewindow.licences import services
from onewindow.licences.models import Licence, LicenceType
from onewindow.licences.pdf import licence_verify_url
from onewindow.licences.selectors import licence_short_code
from onewindow.licences.tests.factories import FACE, licence_issued, licence_type, signing_key
from onewindow.organisations.models import Department, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# A well-formed identifier (its check character validates) that no licence has.
UNKNOWN = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def food_type(department_a):
    return licence_type(department_a)


@pytest.fixture
def licence(food_type):
    return licence_issued(licence_type=food_type)


def verify(client, identifier, **headers):
    return client.get(reverse("licence_verify:result", args=[identifier]), **headers)


def verdict(response) -> tuple[str, bool]:
    result = response.context["result"]
    return result.outcome, result.signature_valid


def test_a_valid_licence_is_shown_valid_with_the_holder_masked(
    client, licence, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = verify(client, licence.identifier)
    page = response.content.decode()
    assert response.status_code == 200
    assert verdict(response) == ("valid", True)
    assert 'class="alert alert-success verify-verdict"' in page
    assert licence.number in page and licence.identifier in page and licence.issuer.name in page
    assert all(value in page for value in FACE.values()) and "经营范围" in page
    assert mask_citizen_id(licence.holder_code) in page
    assert licence.holder_code not in page and licence.holder_name not in page
    assert "no-store" in response["Cache-Control"]
    assert 'name="robots" content="noindex"' in page


def test_the_verdict_reads_in_the_chosen_language(client, licence, settings):
    assert "签名验证通过" in verify(client, licence.identifier).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = verify(client, licence.identifier).content.decode()
    assert "Valid" in page and "Signature verified" in page


def test_a_lowercase_or_spaced_identifier_is_still_found(client, licence):
    assert verdict(verify(client, licence.identifier.lower())) == ("valid", True)


def test_a_revoked_licence_says_so(client, licence, approver_a):
    services.licence_revoke(
        licence=licence, actor=approver_a, reason="以欺骗手段取得许可", basis="行政许可法第六十九条"
    )
    response = verify(client, licence.identifier)
    assert response.status_code == 200
    assert verdict(response) == ("revoked", True)
    assert 'class="alert alert-error verify-verdict"' in response.content.decode()


def test_a_suspended_licence_says_so(client, licence, approver_a):
    services.licence_suspend(licence=licence, actor=approver_a, reason="责令停业整顿")
    response = verify(client, licence.identifier)
    assert verdict(response) == ("suspended", True)
    assert "alert-warning" in response.content.decode()


def test_an_expired_licence_says_so(client, food_type):
    old = licence_issued(licence_type=food_type, valid_from=clock.today() - dt.timedelta(days=6 * 366))
    assert verdict(verify(client, old.identifier)) == ("expired", True)


def test_a_replaced_licence_links_to_its_successor(client, licence, approver_a):
    newer = services.licence_change(
        licence=licence, actor=approver_a, face={"address": "福州市鼓楼区东街2号"}, reason="经营场所变更"
    )
    response = verify(client, licence.identifier)
    page = response.content.decode()
    assert verdict(response) == ("superseded", True)
    assert reverse("licence_verify:result", args=[newer.identifier]) in page
    newer_page = verify(client, newer.identifier).content.decode()
    assert reverse("licence_verify:result", args=[licence.identifier]) in newer_page


def test_an_unknown_identifier_is_not_found(client):
    response = verify(client, UNKNOWN)
    assert response.status_code == 404
    assert verdict(response) == ("unknown", False)
    assert 'class="alert alert-error verify-verdict"' in response.content.decode()


def test_a_malformed_identifier_is_not_found_and_explained(client, licence):
    typo = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    response = verify(client, typo)
    assert response.status_code == 404 and verdict(response) == ("unknown", False)
    assert "校验位不正确" in response.content.decode()


@pytest.mark.parametrize("column", ["face", "signature"])
def test_a_tampered_licence_fails_the_signature_check(client, licence, column):
    if column == "face":
        Licence.objects.filter(pk=licence.pk).update(face=FACE | {"business_scope": "所有食品经营项目"})
    else:
        other = licence_issued(licence_type=licence.licence_type)
        Licence.objects.filter(pk=licence.pk).update(signature=other.signature)
    response = verify(client, licence.identifier)
    page = response.content.decode()
    assert verdict(response) == ("valid", False)
    assert 'class="alert alert-error verify-verdict"' in page
    assert "签名验证失败" in page and "签名验证通过" not in page


def test_the_qr_short_link_shows_the_same_result(client, licence, approver_a):
    url = reverse("licence_verify:short", args=[licence_short_code(licence)])
    assert licence_verify_url(licence).endswith(url)
    response = client.get(url)
    assert response.status_code == 200 and verdict(response) == ("valid", True)
    assert response.context["result"].licence == licence
    services.licence_revoke(
        licence=licence, actor=approver_a, reason="申请人主动注销", basis="行政许可法第七十条"
    )
    assert verdict(client.get(url)) == ("revoked", True)


@pytest.mark.parametrize("code", ["0OIl", "x" * 40, "1111111111111111111111"])
def test_a_bad_short_code_is_not_found(client, code):
    response = client.get(reverse("licence_verify:short", args=[code]))
    assert response.status_code == 404 and verdict(response) == ("unknown", False)


def test_the_form_is_public_and_labelled(client):
    response = client.get(reverse("licence_verify:form"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="verify-identifier">' in page and 'id="verify-identifier"' in page


def test_the_form_sends_an_identifier_to_its_result(client, licence):
    response = client.get(reverse("licence_verify:form"), {"identifier": f"  {licence.identifier.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("licence_verify:result", args=[licence.identifier])


def test_the_form_takes_a_scanned_short_link(client, licence):
    scanned = licence_verify_url(licence)
    response = client.get(reverse("licence_verify:form"), {"identifier": scanned})
    assert response.status_code == 302
    assert response["Location"] == reverse("licence_verify:short", args=[licence_short_code(licence)])


def test_the_form_takes_a_pasted_result_address(client, licence):
    pasted = "https://example.gov.cn" + reverse("licence_verify:result", args=[licence.identifier])
    response = client.get(reverse("licence_verify:form"), {"identifier": pasted})
    assert response.status_code == 302
    assert response["Location"] == reverse("licence_verify:result", args=[licence.identifier])


@pytest.mark.parametrize("entered", ["https://example.com/some/other/page", "1" * 200])
def test_the_form_refuses_what_is_not_an_identifier(client, entered):
    response = client.get(reverse("licence_verify:form"), {"identifier": entered})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


@override_settings(ONEWINDOW_RATE_LIMITS={"public_lookup": (2, 60)})
def test_lookups_are_rate_limited_with_a_429_page(client, licence):
    from django.core.cache import cache

    cache.clear()
    assert verify(client, licence.identifier).status_code == 200
    assert client.get(reverse("licence_verify:short", args=[licence_short_code(licence)])).status_code == 200
    limited = verify(client, licence.identifier)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "licences/verify_limited.html" in [t.name for t in limited.templates]
    assert "result" not in limited.context
    cache.clear()


def test_the_public_keys_are_published(client, licence, department_b, django_assert_max_num_queries):
    signing_key(department_b)
    key = licence.signing_key
    with django_assert_max_num_queries(3):
        response = client.get(reverse("licence_verify:keys"))
    page = response.content.decode()
    assert response.status_code == 200
    assert key.key_id in page and key.department.name in page and department_b.name in page
    assert "BEGIN PUBLIC KEY" in page and "PRIVATE" not in page
    download = client.get(reverse("licence_verify:key_pem", args=[key.key_id]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/x-pem-file")
    assert download.content.decode() == key.public_key
    assert f'filename="{key.key_id}.pem"' in download["Content-Disposition"]


def test_an_unknown_key_is_not_found(client):
    assert client.get(reverse("licence_verify:key_pem", args=["sm2-sm3-0000000000000000"])).status_code == 404


def test_verification_pages_only_answer_reads(client, licence):
    assert client.post(reverse("licence_verify:result", args=[licence.identifier])).status_code == 405
    assert client.post(reverse("licence_verify:form")).status_code == 405


def test_renaming_the_issuer_and_the_type_keeps_the_licence_as_issued_and_valid(
    client, licence, department_a
):
    # The signature covers the licence's own columns: the type and issuer as snapshotted at issue.
    old_issuer, old_type = licence.issuer_name, licence.type_name
    assert (old_issuer, licence.issuer_code) == (department_a.name, department_a.credit_code)
    assert (licence.type_code, old_type) == (licence.licence_type.code, licence.licence_type.name)
    Department.objects.filter(pk=department_a.pk).update(name="福州市改名后的局")
    LicenceType.objects.filter(pk=licence.licence_type_id).update(name="改名后的证")
    response = verify(client, licence.identifier)
    page = response.content.decode()
    assert verdict(response) == ("valid", True)
    assert old_issuer in page and old_type in page
    assert "福州市改名后的局" not in page and "改名后的证" not in page
    body = client.get(f"/api/v1/licences/verify/{licence.identifier}").json()
    assert body["signature_valid"] is True
    assert (body["licence"]["issuer"], body["licence"]["type_name"]) == (old_issuer, old_type)


def test_the_snapshot_migration_fills_existing_licences_from_their_rows(licence):
    import importlib

    from django.apps import apps

    from onewindow.licences.selectors import licence_signature_valid

    migration = importlib.import_module("onewindow.licences.migrations.0002_licence_metadata_snapshot")
    Licence.objects.filter(pk=licence.pk).update(type_code="", type_name="", issuer_name="", issuer_code="")
    assert not licence_signature_valid(Licence.objects.get(pk=licence.pk))
    migration.snapshot_fill(apps, None)
    filled = Licence.objects.get(pk=licence.pk)
    assert (filled.type_code, filled.type_name, filled.issuer_name, filled.issuer_code) == (
        licence.type_code,
        licence.type_name,
        licence.issuer_name,
        licence.issuer_code,
    )
    assert licence_signature_valid(filled)


def test_the_public_face_masks_the_holder_and_personal_identifiers(client, client_as, department_a):
    from onewindow.licences.pdf import licence_html
    from tests.factories import person

    holder = person(77, name="欧阳明")
    kind = licence_type(
        department_a,
        face_fields=[
            {"key": "operator", "label": "经营者", "source": "holder.name"},
            {"key": "rep_id", "label": "负责人身份证号", "source": "form.rep_id"},
            {"key": "note", "label": "备注", "source": "form.note"},
            {"key": "address", "label": "经营场所", "source": "form.address"},
        ],
    )
    face = {
        "operator": "欧阳明",
        "rep_id": "350102199001011234",
        "note": "联系人 13800138000，证件 35010219900101123X",
        "address": "福州市鼓楼区五四路1号",
    }
    licence = licence_issued(holder_person=holder, licence_type=kind, face=face)
    secrets = ["欧阳明", "350102199001011234", "13800138000", "35010219900101123X"]

    page = verify(client, licence.identifier).content.decode()
    body = client.get(f"/api/v1/licences/verify/{licence.identifier}").json()
    public_face = body["licence"]["face"]
    for shown in (page, str(public_face), str(body["licence"]["face_fields"])):
        assert not any(secret in shown for secret in secrets), shown
    assert public_face["rep_id"] == "3501**********1234"
    assert public_face["note"] == "联系人 138****8000，证件 3501**********123X"
    assert public_face["address"] == face["address"] and face["address"] in page
    assert body["signature_valid"] is True

    # The holder's own views keep the whole face.
    wallet = client_as(holder.user).get(reverse("licences:licence", args=[licence.pk])).content.decode()
    html = licence_html(licence)
    for shown in (wallet, html):
        assert all(value in shown for value in face.values())
