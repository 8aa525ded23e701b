"""Fixtures of the data-sharing tests: two departments (the market regulator provides, the other consumes),
their administrators, two catalogued resources, and sandbox registries reading records from a temporary
file (so a test can add, remove or stop a registry)."""

from __future__ import annotations

import json

import pytest

from onewindow.core.plugins import plugins_reset
from onewindow.organisations.models import Role
from onewindow.sharing import services
from tests.factories import MembershipFactory, UserFactory, valid_citizen_id, valid_credit_code

PERSON_ID = valid_citizen_id(1)
COMPANY_CODE = valid_credit_code(901)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ONEWINDOW_SHARING_LOG_KEY_FILE = tmp_path / "sharing_log_key"


@pytest.fixture
def registry_files(settings, tmp_path):
    """Sandbox population and market registries on files the test may rewrite; returns their paths."""
    files = {"population": tmp_path / "population.json", "market": tmp_path / "market.json"}
    files["population"].write_text(
        json.dumps(
            {PERSON_ID: {"name": "张三", "id_number": PERSON_ID, "gender": "男", "address": "福州市鼓楼区"}}
        )
    )
    files["market"].write_text(
        json.dumps(
            {
                COMPANY_CODE: {
                    "credit_code": COMPANY_CODE,
                    "name": "福州市测试1有限公司",
                    "legal_representative": "张三",
                    "address": "福州市鼓楼区软件大道89号",
                    "status": "存续",
                }
            }
        )
    )
    settings.ONEWINDOW_PLUGINS = {
        **settings.ONEWINDOW_PLUGINS,
        "registry.population": {
            "class": "onewindow.sharing.registries.SandboxRegistry",
            "options": {"name": "population", "data_file": str(files["population"])},
        },
        "registry.market": {
            "class": "onewindow.sharing.registries.SandboxMarketRegistry",
            "options": {"data_file": str(files["market"])},
        },
    }
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = []
    plugins_reset()
    yield files
    plugins_reset()


@pytest.fixture
def admin_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="admin_a", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user


@pytest.fixture
def admin_b(department_b):
    return MembershipFactory(
        user=UserFactory(username="admin_b", is_staff=True),
        department=department_b,
        role=Role.DEPARTMENT_ADMIN,
    ).user


@pytest.fixture
def market(department_a, registry_files):
    return services.resource_save(
        actor=None,
        provider=department_a,
        code="market-entity",
        name="市场主体登记信息",
        registry_name="market",
        subject_kind="company",
        sharing_class="unconditional",
        update_frequency="realtime",
        legal_basis="《市场主体登记管理条例》第三十五条",
        fields=[
            {"key": "credit_code", "name": "统一社会信用代码"},
            {"key": "name", "name": "名称"},
            {"key": "legal_representative", "name": "法定代表人"},
            {"key": "address", "name": "住所"},
            {"key": "status", "name": "登记状态"},
        ],
        material_keys=["business-licence"],
    )


@pytest.fixture
def population(department_a, registry_files):
    return services.resource_save(
        actor=None,
        provider=department_a,
        code="population-basic",
        name="人口基础信息",
        registry_name="population",
        subject_kind="person",
        sharing_class="conditional",
        update_frequency="realtime",
        legal_basis="《居民身份证法》第十三条",
        fields=[
            {"key": "name", "name": "姓名"},
            {"key": "id_number", "name": "公民身份号码"},
            {"key": "gender", "name": "性别"},
            {"key": "address", "name": "户籍地址"},
        ],
        material_keys=["id-card"],
    )


PURPOSE = "办件受理：核验申请材料"


@pytest.fixture
def approved(department_b, market, population):
    """Department B may read the market register's name, representative and status, and a person's name
    and ID number, for PURPOSE."""
    first = services.approval_request(
        actor=None,
        resource=market,
        consumer=department_b,
        fields=["name", "legal_representative", "status"],
        purpose=PURPOSE,
    )
    second = services.approval_request(
        actor=None, resource=population, consumer=department_b, fields=["name", "id_number"], purpose=PURPOSE
    )
    services.approval_decide(actor=None, approval=second, approve=True)
    return first, second
