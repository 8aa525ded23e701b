"""The administrative division tree: codes, levels and the parent each node must sit under."""

from __future__ import annotations

import pytest

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Region, RegionLevel
from onewindow.organisations.selectors import region_find, regions_list
from onewindow.organisations.services import region_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return region_create(actor=None, code="350000", name="福建省")


@pytest.fixture
def city(province):
    return region_create(actor=None, code="350100", name="福州市", parent=province)


@pytest.fixture
def county(city):
    return region_create(actor=None, code="350102", name="鼓楼区", parent=city)


def test_a_province_needs_no_parent(province):
    assert (province.code, province.level, province.parent) == ("350000", RegionLevel.PROVINCE, None)


def test_the_level_is_inferred_from_the_code(county):
    township = region_create(actor=None, code="350102001", name="鼓东街道", parent=county)
    village = region_create(actor=None, code="350102001001", name="三坊七巷社区", parent=township)
    assert [r.level for r in (county.parent, county, township, village)] == [
        RegionLevel.CITY,
        RegionLevel.COUNTY,
        RegionLevel.TOWNSHIP,
        RegionLevel.VILLAGE,
    ]


def test_a_twelve_digit_code_with_a_zero_village_part_is_stored_as_the_township(county):
    township = region_create(actor=None, code="350102001000", name="鼓东街道", parent=county)
    assert (township.code, township.level) == ("350102001", RegionLevel.TOWNSHIP)


def test_a_name_is_stored_without_surrounding_spaces(province):
    city = region_create(actor=None, code="350200", name="  厦门市 ", parent=province)
    assert city.name == "厦门市"


def test_a_child_code_outside_its_parents_prefix_is_refused(province):
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="360100", name="南昌市", parent=province)
    assert caught.value.code == "region.parent_mismatch"
    assert not Region.objects.filter(code="360100").exists()


def test_a_child_at_the_same_level_as_its_parent_is_refused(city):
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="350200", name="厦门市", parent=city)
    assert caught.value.code == "region.parent_mismatch"


def test_a_non_province_without_a_parent_is_refused():
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="350100", name="福州市")
    assert caught.value.code == "region.parent_required"


def test_a_region_without_a_name_is_refused(province):
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="350100", name=" ", parent=province)
    assert caught.value.code == "region.name_required"


def test_a_malformed_code_is_refused():
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="35000", name="福建省")
    assert caught.value.code == "division_code.format"


def test_a_duplicate_code_is_a_conflict(province):
    with pytest.raises(DomainError) as caught:
        region_create(actor=None, code="350000", name="福建省")
    assert (caught.value.code, caught.value.status) == ("region.duplicate", 409)
    assert Region.objects.filter(code="350000").count() == 1


def test_creating_a_region_is_audited(platform_admin):
    count = AuditEntry.objects.filter(action="region.create").count()
    region = region_create(actor=platform_admin, code="360000", name="江西省")
    entry = AuditEntry.objects.filter(action="region.create").order_by("-seq").first()
    assert AuditEntry.objects.filter(action="region.create").count() == count + 1
    assert (entry.target_id, entry.actor_id) == (str(region.pk), platform_admin.pk)
    assert entry.changes == {"code": "360000", "name": "江西省"}


def test_regions_can_be_listed_by_parent_and_by_level(county):
    assert [r.code for r in regions_list(parent_code="350100")] == ["350102"]
    assert [r.code for r in regions_list(level=RegionLevel.PROVINCE)] == ["350000"]


def test_a_region_is_found_by_its_code(city):
    assert region_find(code="350100") == city
    assert region_find(code="359900") is None
