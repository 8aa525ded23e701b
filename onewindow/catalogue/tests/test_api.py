"""The catalogue API: ranked and filtered item lists, the full guide, bundles; errors with stable codes."""

from __future__ import annotations

import pytest

from onewindow.catalogue import services
from onewindow.catalogue.models import HandlingForm, OnlineDepth
from onewindow.catalogue.tests.factories import ThemeFactory, material, published_item
from tests.factories import DepartmentFactory, RegionFactory

pytestmark = pytest.mark.django_db

OFFLINE = {
    "handling_forms": [HandlingForm.WINDOW, HandlingForm.POST],
    "online_depth": [OnlineDepth.CONSULTATION],
}


def codes(response) -> list[str]:
    return [item["implementation_code"] for item in response.json()["items"]]


def test_items_lists_published_items_with_a_count(client, department_a):
    first = published_item(department=department_a, name="食品经营许可", popularity=10)
    second = published_item(department=department_a, name="户外广告设施设置审批")
    response = client.get("/api/v1/items")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert codes(response) == [first.implementation_code, second.implementation_code]
    summary = body["items"][0]
    assert summary["name"] == "食品经营许可"
    assert summary["item_type"] == {"code": "01", "label": summary["item_type"]["label"]}
    assert summary["department"]["name"] == department_a.name
    assert summary["online"] is True and summary["fully_online"] is True
    assert summary["version"] == 1


def test_drafts_are_never_listed(client, department_a):
    item = published_item(department=department_a)
    services.item_version_new_draft(actor=None, item=item, change_note="调整")
    assert client.get("/api/v1/items").json()["count"] == 1


def test_q_ranks_items_by_the_search(client, department_a):
    food = published_item(department=department_a, name="食品经营许可", keywords="开饭店 餐饮")
    published_item(department=department_a, name="户外广告设施设置审批")
    response = client.get("/api/v1/items", {"q": "食品经营"})
    assert response.status_code == 200
    assert codes(response)[0] == food.implementation_code
    assert "户外广告" not in response.text


def test_filters_by_department_region_type_theme_and_online(client, department_a):
    theme = ThemeFactory(code="birth", name="生育收养")
    county = RegionFactory(code="350102", name="鼓楼区", level=3, parent=department_a.region)
    county_department = DepartmentFactory(region=county)
    online = published_item(department=department_a, themes=[theme])
    offline = published_item(
        department=county_department, onsite_visits=1, onsite_reason="核验原件", **OFFLINE
    )
    service = published_item(department=department_a, item_type="20", name="公共服务事项")

    def listed(**params) -> set[str]:
        response = client.get("/api/v1/items", params)
        assert response.status_code == 200, response.content
        return set(codes(response))

    assert listed(department=str(county_department.pk)) == {offline.implementation_code}
    assert listed(region="350102") == {offline.implementation_code}
    assert listed(region="350100") == {
        online.implementation_code,
        offline.implementation_code,
        service.implementation_code,
    }
    assert listed(region="999999") == set()
    assert listed(type="20") == {service.implementation_code}
    assert listed(theme="birth") == {online.implementation_code}
    assert listed(online="true") == {online.implementation_code, service.implementation_code}
    assert listed(online="false") == {offline.implementation_code}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"department": "not-a-uuid"}, "department"),
        ({"type": "99"}, "type"),
        ({"online": "maybe"}, "online"),
        ({"page": "0"}, "page"),
        ({"q": "长" * 101}, "q"),
    ],
)
def test_bad_filters_are_refused_with_a_code(client, params, field):
    response = client.get("/api/v1/items", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [problem["field"] for problem in body["problems"]] == [field]


def test_the_list_takes_a_fixed_number_of_queries(client, department_a, django_assert_max_num_queries):
    for n in range(12):
        published_item(department=department_a, name=f"事项{n}")
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/items", {"page_size": 50})
    assert response.json()["count"] == 12


def test_one_item_has_the_full_guide(client, department_a, department_b):
    theme = ThemeFactory(code="start-business", name="设立变更", audience="company")
    item = published_item(
        department=department_a,
        name="食品经营许可",
        themes=[theme],
        joint_departments=[department_b],
        charges_fee=True,
        fee_basis="《收费标准》",
        fee_items=[{"name": "工本费", "standard": "10元", "basis": "", "waivable": True}],
        supports_online_payment=True,
        faq=[{"q": "要本人去吗？", "a": "不用。"}],
        materials=[material("id-card", source="shared"), material("application-form")],
    )
    draft = services.item_version_new_draft(actor=None, item=item, change_note="精简材料")
    services.item_version_update(actor=None, version=draft, materials=[material("application-form")])
    services.item_version_submit(actor=None, version=draft)
    services.item_version_review(actor=None, version=draft, approve=True)

    response = client.get(f"/api/v1/items/{item.implementation_code}")
    assert response.status_code == 200
    guide = response.json()
    assert guide["version"] == 2 and guide["name"] == "食品经营许可"
    assert guide["handling_code"] == item.implementation_code + "01"
    assert [m["key"] for m in guide["materials"]] == ["application-form"]
    # What POST /cases/{id}/materials takes as material_id, with what a department system needs to choose.
    (listed,) = guide["materials"]
    assert listed["id"] == str(draft.materials.get().pk)
    assert {"name", "necessity", "source"} <= set(listed)
    assert guide["fee_items"][0]["name"] == "工本费"
    assert guide["faq"] == [{"q": "要本人去吗？", "a": "不用。"}]
    assert guide["form_schema"]["type"] == "object"
    assert guide["themes"] == [{"code": "start-business", "name": "设立变更", "audience": "company"}]
    assert guide["joint_departments"][0]["name"] == department_b.name
    assert [c["version"] for c in guide["change_log"]] == [2, 1]
    assert guide["change_log"][0]["change_note"] == "精简材料"
    assert {code["code"] for code in guide["handling_forms"]} == {"1", "2", "3"}


def test_item_lookup_is_case_insensitive(client, department_a):
    item = published_item(department=department_a)
    assert client.get(f"/api/v1/items/{item.implementation_code.lower()}").status_code == 200


def test_an_unknown_or_unpublished_item_is_404(client, department_a):
    response = client.get("/api/v1/items/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_one_item_takes_a_fixed_number_of_queries(client, department_a, django_assert_max_num_queries):
    item = published_item(
        department=department_a, materials=[material("id-card"), material("application-form")]
    )
    with django_assert_max_num_queries(9):
        assert client.get(f"/api/v1/items/{item.implementation_code}").status_code == 200


def make_bundle(department):
    first = published_item(department=department, name="营业执照", materials=[material("id-card")])
    second = published_item(
        department=department,
        name="食品经营许可",
        materials=[material("id-card"), material("business-licence")],
    )
    third = published_item(department=department, name="消防检查", materials=[material("business-licence")])
    bundle = services.bundle_save(
        actor=None,
        code="open-restaurant",
        name="开办餐饮店",
        audience="company",
        description="营业执照、食品经营许可一次办。",
        items=[(first, 1, False), (second, 2, False), (third, 2, True)],
    )
    return bundle, (first, second, third)


def test_bundles_list_and_detail(client, department_a):
    _, (first, second, third) = make_bundle(department_a)
    listing = client.get("/api/v1/bundles")
    assert listing.status_code == 200
    assert listing.json()["items"] == [
        {
            "code": "open-restaurant",
            "name": "开办餐饮店",
            "audience": "company",
            "description": "营业执照、食品经营许可一次办。",
            "item_count": 3,
        }
    ]
    detail = client.get("/api/v1/bundles/open-restaurant").json()
    assert [[i["name"] for i in stage["items"]] for stage in detail["stages"]] == [
        ["营业执照"],
        ["食品经营许可", "消防检查"],
    ]
    assert detail["stages"][1]["items"][1]["optional"] is True
    merged = {row["material"]["key"]: row["needed_by"] for row in detail["materials"]}
    assert merged == {
        "id-card": [first.implementation_code, second.implementation_code],
        "business-licence": [second.implementation_code, third.implementation_code],
    }
    assert client.get(f"/api/v1/items/{second.implementation_code}").json()["bundles"] == [
        {"code": "open-restaurant", "name": "开办餐饮店"}
    ]


def test_an_unknown_bundle_is_404(client):
    response = client.get("/api/v1/bundles/none")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bundle_detail_takes_a_fixed_number_of_queries(client, department_a, django_assert_max_num_queries):
    make_bundle(department_a)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/bundles/open-restaurant").status_code == 200
