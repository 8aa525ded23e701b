"""The licence demo: a type for every licence the demo catalogue produces, a key per issuing department, and
signed licences for the demo people and company (one revoked, one expiring soon); loading again adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.catalogue.models import ItemVersion, VersionStatus
from onewindow.core import clock
from onewindow.demo.data import DEPARTMENTS, demo_credit_code
from onewindow.demo.identity import DEMO_COMPANY_CREDIT_CODE
from onewindow.demo.licences import licences_demo_load
from onewindow.licences.models import KeyStatus, Licence, LicenceStatus, LicenceType, SigningKey
from onewindow.licences.selectors import licence_verify
from onewindow.organisations.models import Department

pytestmark = pytest.mark.django_db


def test_every_licence_the_catalogue_produces_has_a_type(demo):
    produced = set(
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(licence_type_code="")
        .values_list("licence_type_code", flat=True)
    )
    types = {t.code: t for t in LicenceType.objects.filter(is_active=True)}
    assert produced and produced <= set(types)
    food = types["11100000000013127D010"]
    assert food.name == "食品经营许可证" and food.validity_years == 5
    assert food.issuer.name == "福州市市场监督管理局"
    labels = {field["label"]: field["source"] for field in food.face_fields}
    assert labels["经营场所"] == "form.premises_address" and labels["经营项目"] == "form.business_items"
    assert "公民身份号码" not in labels and "领取方式" not in labels


def test_every_issuing_department_has_an_active_key(demo):
    issuers = set(LicenceType.objects.values_list("issuer_id", flat=True))
    keyed = set(SigningKey.objects.filter(status=KeyStatus.ACTIVE).values_list("department_id", flat=True))
    assert issuers <= keyed


def test_the_demo_licences_are_signed_and_show_each_state(demo):
    company_licences = Licence.objects.filter(holder_company__credit_code=DEMO_COMPANY_CREDIT_CODE)
    assert company_licences.count() == 3
    states = {licence.licence_type.name: licence for licence in company_licences}
    assert states["营业执照"].status == LicenceStatus.VALID and states["营业执照"].valid_until is None
    assert states["药品经营许可证"].status == LicenceStatus.REVOKED
    soon = states["食品经营许可证"]
    assert soon.status == LicenceStatus.VALID
    assert clock.today() < soon.valid_until <= clock.today() + dt.timedelta(days=30)
    assert soon.face["premises_address"] and soon.face["business_items"]
    assert Licence.objects.filter(holder_person__isnull=False).count() >= 2
    for licence in Licence.objects.all():
        result = licence_verify(licence.identifier)
        assert result.signature_valid, licence
    assert licence_verify(states["药品经营许可证"].identifier).outcome == "revoked"


def test_loading_again_creates_nothing(demo):
    by_key = {
        key: Department.objects.get(credit_code=demo_credit_code(index, region))
        for index, (key, _name, _short, region, _level) in enumerate(DEPARTMENTS, start=1)
    }
    before = Licence.objects.count()
    assert licences_demo_load(departments=by_key) == {"licence_types": 0, "signing_keys": 0, "licences": 0}
    assert Licence.objects.count() == before
