"""Departments (implementing bodies): credit codes, the parent tree, staff roles; every write audited."""

from __future__ import annotations

import pytest

from onewindow.core.errors import DomainError, NotFound
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Department, ExerciseLevel, Membership, Role
from onewindow.organisations.selectors import (
    department_get,
    departments_list,
    staff_has_role,
    staff_is_platform_admin,
    staff_memberships,
)
from onewindow.organisations.services import (
    department_create,
    department_update,
    membership_grant,
    membership_revoke,
)
from tests.factories import DepartmentFactory, RegionFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db

# A code whose GB 32100 check digit is wrong: registries did issue some of these.
MISMATCHED = valid_credit_code(500)[:17] + ("0" if valid_credit_code(500)[17] != "0" else "1")


@pytest.fixture
def city():
    return RegionFactory(city=True)


def _create(city, actor=None, **overrides):
    fields = {
        "name": "福州市行政审批局",
        "short_name": "市审批局",
        "credit_code": valid_credit_code(100),
        "region": city,
        "level": ExerciseLevel.MUNICIPAL,
    } | overrides
    return department_create(actor=actor, **fields)


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_a_department_with_a_valid_credit_code_is_created(city, platform_admin):
    department = _create(city, platform_admin)
    assert Department.objects.get(pk=department.pk).credit_code == valid_credit_code(100)
    assert department.credit_code_override_reason == ""


def test_a_credit_code_is_stored_upper_case(city):
    assert _create(city, credit_code=f" {valid_credit_code(100).lower()} ").credit_code == valid_credit_code(
        100
    )


def test_creating_a_department_is_audited(city, platform_admin):
    department = _create(city, platform_admin)
    [entry] = _audit("department.create")
    assert (entry.target_id, entry.actor_id) == (str(department.pk), platform_admin.pk)
    assert entry.changes["credit_code"] == department.credit_code


def test_a_checksum_mismatch_without_an_override_reason_is_refused(city):
    with pytest.raises(DomainError) as caught:
        _create(city, credit_code=MISMATCHED)
    assert caught.value.code == "credit_code.checksum"
    assert not Department.objects.filter(credit_code=MISMATCHED).exists()


def test_a_checksum_mismatch_with_an_override_reason_is_accepted_and_recorded(city, platform_admin):
    department = _create(city, platform_admin, credit_code=MISMATCHED, override_reason="营业执照原件核对无误")
    department.refresh_from_db()
    assert department.credit_code == MISMATCHED
    assert department.credit_code_override_reason == "营业执照原件核对无误"
    assert department.credit_code_override_by == platform_admin
    assert _audit("department.create")[0].changes["override"] == "营业执照原件核对无误"


@pytest.mark.parametrize(
    ("code", "error"), [("9135", "credit_code.length"), ("91350100M000100Y4O", "credit_code.charset")]
)
def test_a_malformed_credit_code_is_refused_even_with_an_override_reason(city, code, error):
    with pytest.raises(DomainError) as caught:
        _create(city, credit_code=code, override_reason="确认")
    assert caught.value.code == error
    assert not Department.objects.exists()


def test_a_duplicate_credit_code_is_a_conflict(city):
    _create(city)
    with pytest.raises(DomainError) as caught:
        _create(city, name="另一个部门")
    assert (caught.value.code, caught.value.status) == ("department.duplicate_credit_code", 409)
    assert Department.objects.count() == 1


def test_a_department_without_a_name_is_refused(city):
    with pytest.raises(DomainError) as caught:
        _create(city, name="  ")
    assert caught.value.code == "department.name_required"


def test_a_department_with_an_unknown_exercise_level_is_refused(city):
    with pytest.raises(DomainError) as caught:
        _create(city, level=8)
    assert caught.value.code == "department.level"


def test_a_department_without_a_region_is_refused():
    with pytest.raises(DomainError) as caught:
        department_create(actor=None, name="某局", credit_code=valid_credit_code(1), region=None, level=3)
    assert caught.value.code == "department.region_required"
    assert not Department.objects.exists()


def test_updating_a_department_audits_each_changed_field(city, platform_admin):
    department = _create(city)
    department_update(
        actor=platform_admin, department=department, short_name="审批局", level=ExerciseLevel.TIERED
    )
    [entry] = _audit("department.update")
    assert entry.changes == {"short_name": ["市审批局", "审批局"], "level": ["3", "7"]}


def test_an_update_that_changes_nothing_is_not_audited(city, platform_admin):
    department = _create(city)
    department_update(actor=platform_admin, department=department, name=department.name)
    assert _audit("department.update") == []


def test_a_department_with_a_confirmed_mismatched_code_can_still_be_edited(city, platform_admin, supervisor):
    department = _create(city, platform_admin, credit_code=MISMATCHED, override_reason="执照原件核对")
    department_update(actor=supervisor, department=department, short_name="审批局")
    department.refresh_from_db()
    assert department.short_name == "审批局"
    assert (department.credit_code_override_reason, department.credit_code_override_by) == (
        "执照原件核对",
        platform_admin,
    )


def test_changing_to_another_mismatched_code_needs_a_new_override_reason(city, platform_admin):
    department = _create(city, platform_admin, credit_code=MISMATCHED, override_reason="执照原件核对")
    other = valid_credit_code(501)[:17] + ("0" if valid_credit_code(501)[17] != "0" else "1")
    with pytest.raises(DomainError) as caught:
        department_update(actor=platform_admin, department=department, credit_code=other)
    assert caught.value.code == "credit_code.checksum"


def test_changing_to_a_valid_code_clears_the_override(city, platform_admin):
    department = _create(city, platform_admin, credit_code=MISMATCHED, override_reason="执照原件核对")
    department_update(actor=platform_admin, department=department, credit_code=valid_credit_code(502))
    department.refresh_from_db()
    assert (department.credit_code_override_reason, department.credit_code_override_by) == ("", None)


def test_a_department_cannot_become_its_own_parent(city):
    department = _create(city)
    with pytest.raises(DomainError) as caught:
        department_update(actor=None, department=department, parent=department)
    assert caught.value.code == "department.parent_cycle"


def test_a_department_cannot_move_under_its_own_child(city):
    parent = _create(city)
    child = _create(city, name="市审批局窗口科", credit_code=valid_credit_code(101), parent=parent)
    with pytest.raises(DomainError) as caught:
        department_update(actor=None, department=parent, parent=child)
    assert caught.value.code == "department.parent_cycle"
    parent.refresh_from_db()
    assert parent.parent is None


def test_an_update_to_another_departments_credit_code_is_a_conflict(city):
    first = _create(city)
    second = _create(city, name="第二个", credit_code=valid_credit_code(101))
    with pytest.raises(DomainError) as caught:
        department_update(actor=None, department=second, credit_code=first.credit_code)
    assert caught.value.status == 409
    second.refresh_from_db()
    assert second.credit_code == valid_credit_code(101)


def test_granting_a_role_makes_the_user_staff_and_is_audited(department_a, platform_admin):
    user = UserFactory(username="newcomer")
    membership = membership_grant(
        actor=platform_admin, user=user, department=department_a, role=Role.REVIEWER
    )
    user.refresh_from_db()
    assert user.is_staff
    assert membership.role == Role.REVIEWER
    [entry] = _audit("membership.grant")
    assert entry.changes == {"role": "reviewer"}


def test_granting_the_same_role_twice_changes_nothing(department_a, platform_admin):
    user = UserFactory(username="newcomer")
    first = membership_grant(actor=platform_admin, user=user, department=department_a, role=Role.REVIEWER)
    second = membership_grant(actor=platform_admin, user=user, department=department_a, role=Role.REVIEWER)
    assert first.pk == second.pk
    assert Membership.objects.filter(user=user).count() == 1
    assert len(_audit("membership.grant")) == 1


def test_a_person_may_hold_several_roles(department_a, department_b):
    user = UserFactory(username="newcomer")
    membership_grant(actor=None, user=user, department=department_a, role=Role.REVIEWER)
    membership_grant(actor=None, user=user, department=department_b, role=Role.APPROVER)
    assert staff_has_role(user=user, role=Role.APPROVER, department=department_b)
    assert not staff_has_role(user=user, role=Role.APPROVER, department=department_a)
    assert staff_memberships(user=user).count() == 2


def test_an_unknown_role_is_refused(department_a):
    user = UserFactory(username="newcomer")
    with pytest.raises(DomainError) as caught:
        membership_grant(actor=None, user=user, department=department_a, role="janitor")
    assert caught.value.code == "membership.role"
    assert not Membership.objects.filter(user=user).exists()


def test_revoking_a_role_removes_it_and_is_audited(clerk_a, platform_admin):
    membership = clerk_a.memberships.get()
    membership_revoke(actor=platform_admin, membership=membership)
    assert not clerk_a.memberships.exists()
    [entry] = _audit("membership.revoke")
    assert entry.changes == {"role": "window_clerk"}


def test_only_platform_administrators_and_superusers_are_platform_admins(clerk_a, platform_admin):
    assert staff_is_platform_admin(user=platform_admin)
    assert not staff_is_platform_admin(user=clerk_a)
    assert staff_is_platform_admin(user=UserFactory(username="root", is_superuser=True))


def test_an_inactive_department_is_not_found(department_a):
    department_a.is_active = False
    department_a.save()
    with pytest.raises(NotFound):
        department_get(department_id=department_a.pk)
    assert department_a not in departments_list()


def test_departments_are_listed_by_region_including_sub_regions(city):
    county = RegionFactory(code="350102", name="鼓楼区", level=3, parent=city)
    in_county = DepartmentFactory(region=county)
    in_city = DepartmentFactory(region=city)
    DepartmentFactory(
        region=RegionFactory(
            code="360100", name="南昌市", level=2, parent=RegionFactory(code="360000", name="江西省")
        )
    )
    assert set(departments_list(region_code="350100")) == {in_county, in_city}
    assert list(departments_list(region_code="350102")) == [in_county]
    assert list(departments_list(region_code="999999")) == []


def test_departments_are_searched_by_name_or_exact_credit_code(department_a, department_b):
    assert list(departments_list(q="卫生")) == [department_b]
    assert list(departments_list(q=department_a.credit_code.lower())) == [department_a]
