"""The organisations and working-day API: public look-ups, registering departments, errors with a code."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Department
from tests.factories import DepartmentFactory, RegionFactory, valid_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client()


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] and body["message"]
    return body


# --- Working days ------------------------------------------------------------------------------------------


def test_adding_working_days_answers_the_due_date(api):
    response = api.get("/api/v1/workdays/add", {"start": "2026-09-30", "days": 1})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-30", "days": 1, "due_on": "2026-10-08", "provisional": False}


def test_adding_working_days_into_an_unlisted_year_is_provisional(api):
    assert api.get("/api/v1/workdays/add", {"start": "2026-12-30", "days": 3}).json()["provisional"] is True


def test_negative_days_are_refused_with_the_field_named(api):
    body = _error(api.get("/api/v1/workdays/add", {"start": "2026-09-30", "days": -1}), 422)
    assert body["code"] == "invalid_input"
    assert [p["field"] for p in body["problems"]] == ["days"]
    assert "不能小于 0" in body["problems"][0]["message"]


def test_a_bad_date_is_refused_in_chinese(api):
    body = _error(api.get("/api/v1/workdays/add", {"start": "2026-02-30", "days": 1}), 422)
    assert body["problems"][0]["field"] == "start"
    assert "YYYY-MM-DD" in body["problems"][0]["message"]


def test_a_missing_parameter_is_refused(api):
    body = _error(api.get("/api/v1/workdays/add", {"start": "2026-09-30"}), 422)
    assert body["problems"] == [{"field": "days", "code": "missing", "message": "此项必填。"}]


def test_a_date_outside_the_supported_range_is_refused(api):
    body = _error(api.get("/api/v1/workdays/add", {"start": "2101-01-01", "days": 1}), 400)
    assert body["code"] == "date.out_of_range"


def test_a_year_outside_the_supported_range_is_refused(api):
    assert _error(api.get("/api/v1/workdays/year/1999"), 400)["code"] == "date.out_of_range"
    assert _error(api.get("/api/v1/workdays/year/0"), 400)["code"] == "date.out_of_range"


def test_working_days_between_two_dates(api):
    body = api.get("/api/v1/workdays/between", {"start": "2026-09-30", "end": "2026-10-12"}).json()
    assert (body["working_days"], body["provisional"]) == (4, False)


def test_a_span_longer_than_ten_years_is_refused(api):
    body = _error(api.get("/api/v1/workdays/between", {"start": "2004-01-01", "end": "2026-01-01"}), 400)
    assert body["code"] == "date.span_too_long"


def test_a_years_holidays_are_listed(api):
    body = api.get("/api/v1/workdays/year/2026").json()
    assert body["official"] is True
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-10-01"]["working_day"] is False
    assert (days["2026-10-10"]["working_day"], days["2026-10-10"]["kind"]) == (True, "workday")


def test_a_single_day_is_described(api):
    body = api.get("/api/v1/workdays/day/2026-09-20").json()
    assert (body["working_day"], body["kind"], body["provisional"]) == (True, "workday", False)
    assert api.get("/api/v1/workdays/day/2026-09-21").json()["name"] == ""


# --- Regions and departments -------------------------------------------------------------------------------


def test_regions_are_listed_with_their_parent_code(api):
    RegionFactory(city=True)
    body = api.get("/api/v1/regions").json()
    assert body["count"] == 2
    assert [(r["code"], r["parent_code"]) for r in body["items"]] == [("350000", None), ("350100", "350000")]


def test_regions_are_filtered_by_parent(api):
    RegionFactory(city=True)
    assert [r["code"] for r in api.get("/api/v1/regions", {"parent": "350000"}).json()["items"]] == ["350100"]


def test_a_region_level_outside_1_to_5_is_refused(api):
    assert _error(api.get("/api/v1/regions", {"level": 9}), 422)["problems"][0]["field"] == "level"


def test_departments_are_listed_a_page_at_a_time_in_few_queries(api, django_assert_max_num_queries):
    DepartmentFactory.create_batch(55)
    with django_assert_max_num_queries(3):
        first = api.get("/api/v1/departments").json()
    assert (first["count"], len(first["items"])) == (55, 50)
    assert len(api.get("/api/v1/departments", {"page": 2}).json()["items"]) == 5
    assert {"id", "name", "credit_code", "region_code", "region_name", "level"} <= first["items"][0].keys()


def test_departments_are_searched_by_name(api, department_a, department_b):
    body = api.get("/api/v1/departments", {"q": "卫生"}).json()
    assert [d["id"] for d in body["items"]] == [str(department_b.pk)]


def test_a_department_is_shown_by_its_id(api, department_a):
    body = api.get(f"/api/v1/departments/{department_a.pk}").json()
    assert (body["name"], body["region_code"]) == (department_a.name, "350100")


def test_an_unknown_department_is_not_found(api):
    assert _error(api.get(f"/api/v1/departments/{uuid.uuid4()}"), 404)["code"] == "not_found"


def test_a_malformed_department_id_is_refused(api):
    assert _error(api.get("/api/v1/departments/not-a-uuid"), 422)["code"] == "invalid_input"


def test_a_credit_code_is_checked(api):
    body = api.get("/api/v1/credit-codes/91350100M000100Y43").json()
    assert (body["checksum_ok"], body["warnings"]) == (True, [])
    assert api.get("/api/v1/credit-codes/91350100M000100Y44").json()["checksum_ok"] is False


def test_a_malformed_credit_code_check_is_refused(api):
    assert _error(api.get("/api/v1/credit-codes/91350100M000100YI3"), 400)["code"] == "credit_code.charset"


# --- Registering a department -----------------------------------------------------------------------------


def _payload(**overrides) -> dict:
    return {
        "name": "福州市行政审批局",
        "credit_code": valid_credit_code(700),
        "region_code": "350100",
        "level": 3,
    } | overrides


def test_registering_a_department_needs_a_signed_in_user(api, department_a):
    body = _error(api.post("/api/v1/departments", _payload(), content_type="application/json"), 401)
    assert body["code"] == "unauthenticated"
    assert not Department.objects.filter(credit_code=valid_credit_code(700)).exists()


def test_a_clerk_may_not_register_a_department(client_as, clerk_a):
    response = client_as(clerk_a).post("/api/v1/departments", _payload(), content_type="application/json")
    assert _error(response, 403)["code"] == "forbidden"
    assert not Department.objects.filter(credit_code=valid_credit_code(700)).exists()


def test_a_platform_administrator_registers_a_department(client_as, platform_admin):
    response = client_as(platform_admin).post(
        "/api/v1/departments", _payload(), content_type="application/json"
    )
    assert response.status_code == 201
    department = Department.objects.get(pk=response.json()["id"])
    assert (department.credit_code, department.region.code) == (valid_credit_code(700), "350100")
    assert AuditEntry.objects.filter(action="department.create", actor=platform_admin).exists()


def test_a_bad_credit_code_is_refused_and_nothing_written(client_as, platform_admin):
    client = client_as(platform_admin)
    before = (Department.objects.count(), AuditEntry.objects.count())
    response = client.post(
        "/api/v1/departments", _payload(credit_code="91350100M000100YI3"), content_type="application/json"
    )
    assert _error(response, 400)["code"] == "credit_code.charset"
    assert (Department.objects.count(), AuditEntry.objects.count()) == before


def test_a_credit_code_failing_its_checksum_needs_an_override_reason(client_as, platform_admin):
    client = client_as(platform_admin)
    bad = valid_credit_code(700)[:17] + ("0" if valid_credit_code(700)[17] != "0" else "1")
    assert (
        _error(
            client.post("/api/v1/departments", _payload(credit_code=bad), content_type="application/json"),
            400,
        )["code"]
        == "credit_code.checksum"
    )
    response = client.post(
        "/api/v1/departments",
        _payload(credit_code=bad, override_reason="执照原件核对"),
        content_type="application/json",
    )
    assert response.status_code == 201


def test_a_duplicate_credit_code_is_a_conflict(client_as, platform_admin, department_a):
    response = client_as(platform_admin).post(
        "/api/v1/departments", _payload(credit_code=department_a.credit_code), content_type="application/json"
    )
    assert _error(response, 409)["code"] == "department.duplicate_credit_code"


def test_an_unknown_region_is_refused(client_as, platform_admin):
    response = client_as(platform_admin).post(
        "/api/v1/departments", _payload(region_code="359900"), content_type="application/json"
    )
    assert _error(response, 400)["code"] == "department.region_unknown"


def test_an_unknown_parent_department_is_not_found(client_as, platform_admin):
    response = client_as(platform_admin).post(
        "/api/v1/departments", _payload(parent_id=str(uuid.uuid4())), content_type="application/json"
    )
    assert _error(response, 404)["code"] == "not_found"
    assert not Department.objects.filter(credit_code=valid_credit_code(700)).exists()


def test_a_bad_exercise_level_is_refused_with_the_field_named(client_as, platform_admin):
    response = client_as(platform_admin).post(
        "/api/v1/departments", _payload(level=8), content_type="application/json"
    )
    assert _error(response, 422)["problems"][0]["field"].endswith("level")


def test_a_body_that_is_not_json_is_refused(client_as, platform_admin):
    response = client_as(platform_admin).post("/api/v1/departments", "{", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


def test_a_cookie_authenticated_write_without_the_csrf_token_is_refused(platform_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(platform_admin)
    response = client.post("/api/v1/departments", _payload(), content_type="application/json")
    assert response.status_code == 403
    assert not Department.objects.filter(credit_code=valid_credit_code(700)).exists()


def test_a_cookie_authenticated_write_with_the_csrf_token_is_accepted(platform_admin):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    client.force_login(platform_admin)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/departments", _payload(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


# --- Rate limit ---------------------------------------------------------------------------------------------


@pytest.fixture
def lookups_limited_to_two(settings):
    # A window of days, so the test never straddles two windows.
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 10**6)}


def test_public_lookups_beyond_the_limit_are_refused(api, lookups_limited_to_two):
    for _ in range(2):
        assert api.get("/api/v1/workdays/add", {"start": "2026-09-30", "days": 1}).status_code == 200
    response = api.get("/api/v1/regions")
    body = _error(response, 429)
    assert body["code"] == "rate_limited"
    assert response["Retry-After"]


def test_the_lookup_limit_is_per_address(api, lookups_limited_to_two):
    for _ in range(3):
        api.get("/api/v1/regions")
    assert Client(REMOTE_ADDR="198.51.100.9").get("/api/v1/regions").status_code == 200
