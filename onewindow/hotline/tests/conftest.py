"""12345 personas: the office (an operator and its head), a right and a wrong department, a co-handler, and a
supervisor; two catalogue entries with routing rules."""

from __future__ import annotations

import pytest

from onewindow.hotline.models import DispatchCategory, HotlineOffice, RoutingRule
from onewindow.organisations.models import Role
from tests.factories import DepartmentFactory, MembershipFactory, RegionFactory, UserFactory


def staff(username: str, department, role: Role = Role.WINDOW_CLERK):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True, email=f"{username}@example.gov.cn"),
        department=department,
        role=role,
    ).user


@pytest.fixture
def office(db):
    department = DepartmentFactory(name="福州市12345便民服务平台", short_name="12345")
    return HotlineOffice.objects.create(department=department)


@pytest.fixture
def operator(office):
    return staff("operator", office.department)


@pytest.fixture
def office_head(office):
    return staff("office_head", office.department, Role.HEAD)


@pytest.fixture
def urban(db):
    return DepartmentFactory(name="福州市城市管理委员会", short_name="市城管委")


@pytest.fixture
def environment(db):
    return DepartmentFactory(name="福州市生态环境局", short_name="市生态环境局")


@pytest.fixture
def housing(db):
    return DepartmentFactory(name="福州市住房和城乡建设局", short_name="市住建局")


@pytest.fixture
def urban_clerk(urban):
    return staff("urban_clerk", urban)


@pytest.fixture
def env_clerk(environment):
    return staff("env_clerk", environment)


@pytest.fixture
def housing_clerk(housing):
    return staff("housing_clerk", housing)


@pytest.fixture
def hotline_supervisor(office):
    return staff("hotline_supervisor", office.department, Role.SUPERVISOR)


@pytest.fixture
def noise(urban, environment, housing):
    """夜间施工噪音: the city's rule sends it to 城管 with 住建 as co-handler; 5 working days."""
    category = DispatchCategory.objects.create(
        code="CG-001",
        name="夜间施工噪音",
        group="城市管理",
        keywords="噪音,施工,夜间",
        limit_days=5,
        lead_department=environment,
        description="建筑工地夜间施工噪音扰民",
    )
    rule = RoutingRule.objects.create(category=category, region=urban.region, lead_department=urban)
    rule.co_departments.add(housing)
    return category


@pytest.fixture
def other_region(db):
    return RegionFactory()
