"""The administrators' process pages: who may open them, the list, one definition with its diagram, the BPMN
upload (a script refused next to the field, nothing stored), the generator, the assignment and the download."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.tests.factories import case_item
from onewindow.organisations.models import Role
from onewindow.workflow import services
from onewindow.workflow.bpmn import StepSpec
from onewindow.workflow.models import ProcessAssignment, ProcessDefinition
from onewindow.workflow.tests.conftest import joint_steps, staff
from onewindow.workflow.tests.test_services import UPLOADED
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST = "workflow_admin:process_list"


def url(name, *args):
    return reverse(f"workflow_admin:{name}", args=args)


def uploaded(department_a, department_b, **replace):
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code)
    for old, new in replace.items():
        xml = xml.replace(old, new)
    return SimpleUploadedFile("joint.bpmn", xml.encode(), content_type="application/xml")


def step_rows(*rows, total=8):
    """The generator's POST data for ``rows`` of (name, role, limit, [department pks]), the rest empty."""
    data = {
        "steps-TOTAL_FORMS": str(total),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": str(total),
    }
    for index, (name, role, limit, departments) in enumerate(rows):
        data.update(
            {
                f"steps-{index}-name": name,
                f"steps-{index}-role": role,
                f"steps-{index}-limit_days": "" if limit is None else str(limit),
                f"steps-{index}-departments": [str(pk) for pk in departments],
            }
        )
    return data


def test_the_pages_are_mounted_under_the_workbench():
    assert reverse(LIST) == "/workbench/processes/"
    assert url("process_detail", "food-licence") == "/workbench/processes/food-licence/"


# --- who may open the pages --------------------------------------------------------------------------------


PAGES = [
    ("process_list", ()),
    ("process_detail", ("food-licence",)),
    ("process_download", ("food-licence", 1)),
    ("process_upload", ()),
    ("process_generate", ()),
    ("process_assign", ()),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_administrators_open_every_page(client_as, definition, platform_admin, head_a, name, args):
    assert client_as(platform_admin).get(url(name, *args)).status_code == 200
    assert client_as(head_a).get(url(name, *args)).status_code == 200


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_clerk_or_a_supervisor_is_refused(client_as, definition, clerk_a, supervisor, name, args):
    assert client_as(clerk_a).get(url(name, *args)).status_code == 403
    assert client_as(supervisor).get(url(name, *args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, definition, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_citizen_is_refused(client_as, citizen):
    assert client_as(citizen).get(reverse(LIST)).status_code == 403


def test_the_workbench_home_links_administrators_to_the_processes(client_as, head_a, clerk_a):
    assert reverse(LIST) in client_as(head_a).get(reverse("workbench:home")).content.decode()
    assert reverse(LIST) not in client_as(clerk_a).get(reverse("workbench:home")).content.decode()


# --- the list -------------------------------------------------------------------------------------------------


def test_the_list_shows_the_latest_version_its_steps_items_and_publisher(
    client_as, definition, platform_admin, department_a, item
):
    services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="食品经营许可审批（简化）",
        steps=[StepSpec(name="批准", role=Role.APPROVER, limit_days=1)],
    )
    response = client_as(platform_admin).get(reverse(LIST))
    [row] = response.context["rows"]
    assert (row["definition"].version, row["definition"].step_count) == (2, 1)
    assert [a.item for a in row["assignments"]] == [item]
    page = response.content.decode()
    assert "食品经营许可审批（简化）" in page and "v2" in page and platform_admin.name in page
    assert item.implementation_code in page


def test_the_list_is_searched_by_key_or_name(
    client_as, definition, platform_admin, department_a, department_b
):
    services.process_definition_generate(
        actor=platform_admin,
        key="tobacco",
        name="烟草专卖许可",
        steps=joint_steps(department_a, department_b),
    )
    client = client_as(platform_admin)
    assert [r["definition"].key for r in client.get(reverse(LIST), {"q": "烟草"}).context["rows"]] == [
        "tobacco"
    ]
    assert [r["definition"].key for r in client.get(reverse(LIST), {"q": "food"}).context["rows"]] == [
        "food-licence"
    ]
    assert client.get(reverse(LIST), {"q": "nothing"}).context["rows"] == []


def test_the_list_takes_a_fixed_number_of_queries(
    client_as, platform_admin, department_a, department_b, django_assert_max_num_queries
):
    for n in range(30):
        services.process_definition_generate(
            actor=platform_admin,
            key=f"p{n:02}",
            name=f"流程{n}",
            steps=joint_steps(department_a, department_b),
        )
        item = case_item(department=department_a, name=f"事项{n}")
        services.process_assign(actor=platform_admin, item=item, key=f"p{n:02}")
    client = client_as(platform_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(LIST))
    assert len(response.context["rows"]) == 25
    assert client.get(reverse(LIST), {"page": 2}).context["rows"][0]["definition"].key == "p25"


# --- one definition ------------------------------------------------------------------------------------------


def test_the_definition_page_groups_the_joint_review_and_draws_it(client_as, definition, head_a):
    response = client_as(head_a).get(url("process_detail", "food-licence"))
    stages = response.context["stages"]
    assert [(s.kind, [step.name for step in s.steps]) for s in stages] == [
        ("single", ["承办"]),
        ("parallel", ["联合审查（市市场监管局）", "联合审查（市卫健委）"]),
        ("single", ["批准"]),
    ]
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<rect") == 4 and svg.count("<polygon") == 2  # four steps, a split and a join
    assert "联合审查" in svg and "市卫健委" in svg
    assert not re.search(r"\sstyle=", page)  # the CSP forbids inline styles
    assert definition.sha256[:12] in page and "食品经营许可" in page  # the version and the item using it


def test_an_uploaded_process_is_grouped_from_its_flows(client_as, platform_admin, department_a, department_b):
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code).encode()
    services.process_definition_upload(actor=platform_admin, key="joint", name="并联审批", xml=xml)
    stages = client_as(platform_admin).get(url("process_detail", "joint")).context["stages"]
    assert [(s.kind, [step.bpmn_id for step in s.steps]) for s in stages] == [
        ("parallel", ["review_a", "review_b"]),
        ("single", ["approve"]),
    ]


def test_an_earlier_version_is_shown_with_running_cases_per_version(
    client_as, start, platform_admin, department_a, department_b
):
    start()
    services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="简化",
        steps=[StepSpec(name="直接批准", role=Role.APPROVER, limit_days=1)],
    )
    client = client_as(platform_admin)
    versions = client.get(url("process_detail", "food-licence")).context["versions"]
    assert [(v.version, v.running) for v in versions] == [(2, 0), (1, 1)]
    response = client.get(url("process_detail", "food-licence"), {"version": 1})
    assert response.context["definition"].version == 1
    assert [s.name for s in response.context["stages"][0].steps] == ["承办"]


def test_an_unknown_key_or_version_is_not_found(client_as, definition, platform_admin):
    client = client_as(platform_admin)
    assert client.get(url("process_detail", "nothing")).status_code == 404
    assert client.get(url("process_detail", "food-licence"), {"version": 9}).status_code == 404
    assert client.get(url("process_detail", "food-licence"), {"version": "x"}).status_code == 404
    assert client.get(url("process_download", "food-licence", 9)).status_code == 404


def test_a_version_downloads_as_its_bpmn_xml(client_as, definition, head_a):
    response = client_as(head_a).get(url("process_download", "food-licence", 1))
    assert response["Content-Type"].startswith("application/xml")
    assert (
        "attachment" in response["Content-Disposition"]
        and "food-licence-v1.bpmn" in response["Content-Disposition"]
    )
    assert response.content.decode() == definition.bpmn_xml


# --- upload ---------------------------------------------------------------------------------------------------


def test_the_upload_page_names_the_properties_a_modeller_sets(client_as, head_a):
    page = client_as(head_a).get(url("process_upload")).content.decode()
    for name in (
        "role",
        "department",
        "limit_days",
        "window_clerk",
        "reviewer",
        "approver",
        "camunda:property",
    ):
        assert name in page


def test_a_valid_bpmn_with_a_parallel_gateway_is_published(client_as, head_a, department_a, department_b):
    response = client_as(head_a).post(
        url("process_upload"),
        {"key": "joint", "name": "并联审批", "file": uploaded(department_a, department_b)},
    )
    assert response.status_code == 302 and response["Location"] == url("process_detail", "joint")
    definition = ProcessDefinition.objects.get(key="joint")
    assert (definition.version, definition.department, definition.uploaded_by) == (1, department_a, head_a)
    assert definition.steps.count() == 3


def test_a_script_task_is_refused_next_to_the_file_and_nothing_is_stored(
    client_as, platform_admin, department_a, department_b
):
    upload = uploaded(
        department_a,
        department_b,
        **{'<bpmn:endEvent id="end"/>': '<bpmn:endEvent id="end"/><bpmn:scriptTask id="s1"/>'},
    )
    response = client_as(platform_admin).post(
        url("process_upload"), {"key": "joint", "name": "并联审批", "file": upload}
    )
    assert response.status_code == 400
    [message] = response.context["form"].errors["file"]
    assert "脚本" in message and "s1" in message
    assert "平台不执行上传流程中的脚本" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


def test_a_file_that_is_not_bpmn_by_name_is_refused(client_as, platform_admin):
    upload = SimpleUploadedFile("process.txt", b"hello", content_type="text/plain")
    response = client_as(platform_admin).post(
        url("process_upload"), {"key": "x", "name": "x", "file": upload}
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not ProcessDefinition.objects.exists()


def test_a_bad_key_is_refused_next_to_the_key(client_as, platform_admin, department_a, department_b):
    response = client_as(platform_admin).post(
        url("process_upload"), {"key": "upload", "name": "x", "file": uploaded(department_a, department_b)}
    )
    assert response.status_code == 400 and "保留" in response.context["form"].errors["key"][0]
    assert not ProcessDefinition.objects.exists()


def test_a_department_admin_may_not_publish_another_departments_key(
    client_as, definition, department_a, department_b
):
    head_b = staff("head_b", department_b, Role.DEPARTMENT_ADMIN)
    response = client_as(head_b).post(
        url("process_upload"),
        {"key": "food-licence", "name": "改版", "file": uploaded(department_a, department_b)},
    )
    assert response.status_code == 403
    assert "不能发布它的新版本" in response.content.decode()
    assert ProcessDefinition.objects.filter(key="food-licence").count() == 1


# --- generator ------------------------------------------------------------------------------------------------


def test_the_generator_publishes_a_joint_review_and_ignores_empty_rows(
    client_as, platform_admin, department_a, department_b
):
    data = {"name": "烟草专卖零售许可", "key": "tobacco", "department": str(department_a.pk)}
    data |= step_rows(
        ("承办", "window_clerk", 2, []),
        ("联合审查", "reviewer", 5, [department_a.pk, department_b.pk]),
        ("批准", "approver", 1, []),
    )
    response = client_as(platform_admin).post(url("process_generate"), data)
    assert response.status_code == 302
    definition = ProcessDefinition.objects.get(key="tobacco")
    assert definition.department == department_a
    steps = [(s.name, s.department, s.limit_days) for s in definition.steps.order_by("position")]
    assert steps[0] == ("承办", None, 2) and steps[3] == ("批准", None, 1)
    assert sorted(steps[1:3], key=lambda s: s[0]) == [
        ("联合审查（市卫健委）", department_b, 5),
        ("联合审查（市市场监管局）", department_a, 5),
    ]


def test_the_generator_shows_every_rows_errors_and_stores_nothing(client_as, platform_admin):
    data = {"name": "x", "key": "x"} | step_rows(
        ("承办", "", 2, []),  # no role
        ("", "reviewer", 3, []),  # no name
        ("批准", "approver", 400, []),  # limit out of range
    )
    response = client_as(platform_admin).post(url("process_generate"), data)
    assert response.status_code == 400
    rows = response.context["steps"].forms
    assert set(rows[0].errors) == {"role"}
    assert set(rows[1].errors) == {"name"}
    assert set(rows[2].errors) == {"limit_days"}
    assert "Ensure this value is less than or equal to 365" not in response.content.decode()  # in Chinese
    assert not ProcessDefinition.objects.exists()


def test_the_generator_needs_a_step(client_as, platform_admin):
    response = client_as(platform_admin).post(
        url("process_generate"), {"name": "x", "key": "x"} | step_rows()
    )
    assert response.status_code == 400 and response.context["steps"].non_form_errors()
    assert not ProcessDefinition.objects.exists()


def test_a_department_admin_of_two_departments_must_choose_one(client_as, department_a, department_b):
    head = staff("head_ab", department_a, Role.DEPARTMENT_ADMIN)
    MembershipFactory(user=head, department=department_b, role=Role.DEPARTMENT_ADMIN)
    data = {"name": "x", "key": "x"} | step_rows(("批准", "approver", 1, []))
    response = client_as(head).post(url("process_generate"), data)
    assert response.status_code == 400 and response.context["form"].errors["department"]
    assert not ProcessDefinition.objects.exists()


# --- assignment -----------------------------------------------------------------------------------------------


def test_an_item_is_found_and_assigned(client_as, definition, platform_admin, department_a, department_b):
    services.process_definition_generate(
        actor=platform_admin, key="other", name="另一流程", steps=joint_steps(department_a, department_b)
    )
    other = case_item(department=department_a, name="烟草专卖零售许可")
    client = client_as(platform_admin)
    found = client.get(url("process_assign"), {"q": "烟草"}).context["form"].fields["item"].queryset
    assert list(found) == [other]
    response = client.post(url("process_assign"), {"item": str(other.pk), "key": "other", "q": "烟草"})
    assert response.status_code == 302
    assert ProcessAssignment.objects.get(item=other).definition_key == "other"
    page = client.get(url("process_assign")).content.decode()
    assert "烟草专卖零售许可" in page and "food-licence" in page


def test_a_department_admin_assigns_only_their_departments_items(client_as, definition, department_b):
    head_b = staff("head_b", department_b, Role.DEPARTMENT_ADMIN)
    own = case_item(department=department_b, name="医疗机构执业登记")
    client = client_as(head_b)
    assert list(client.get(url("process_assign")).context["form"].fields["item"].queryset) == [own]
    item_of_a = ProcessAssignment.objects.get(definition_key="food-licence").item
    response = client.post(url("process_assign"), {"item": str(item_of_a.pk), "key": "food-licence"})
    assert response.status_code == 400 and response.context["form"].errors["item"]
    # A process another department (here: the platform) maintains could be re-routed under B's items.
    response = client.post(url("process_assign"), {"item": str(own.pk), "key": "food-licence"})
    assert response.status_code == 403 and not ProcessAssignment.objects.filter(item=own).exists()
    services.process_definition_generate(
        actor=head_b,
        key="clinic",
        name="医疗机构执业登记审批",
        steps=[StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=5)],
    )
    response = client.post(url("process_assign"), {"item": str(own.pk), "key": "clinic"})
    assert response.status_code == 302 and ProcessAssignment.objects.get(item=own).definition_key == "clinic"


def test_a_version_parameter_that_is_not_a_plain_number_is_not_found(client_as, definition, platform_admin):
    response = client_as(platform_admin).get(url("process_detail", "food-licence"), {"version": "²"})
    assert response.status_code == 404


def test_an_empty_upload_says_what_is_missing(client_as, platform_admin):
    response = client_as(platform_admin).post(url("process_upload"), {})
    assert response.status_code == 400 and response.context["form"].errors


def test_an_unknown_key_is_not_assigned(client_as, definition, platform_admin, item):
    response = client_as(platform_admin).post(url("process_assign"), {"item": str(item.pk), "key": "nothing"})
    assert response.status_code == 400 and response.context["form"].errors["key"]
    assert ProcessAssignment.objects.get(item=item).definition_key == "food-licence"


def test_a_new_version_starts_from_the_latest_ones_steps(client_as, definition, platform_admin, department_a):
    response = client_as(platform_admin).get(url("process_generate"), {"key": "food-licence"})
    assert response.context["form"].initial == {"key": "food-licence", "name": "食品经营许可审批"}
    rows = [row.initial for row in response.context["steps"].forms[:3]]
    assert [(r["name"], r["role"], r["limit_days"], len(r["departments"])) for r in rows] == [
        ("承办", "window_clerk", 2, 0),
        ("联合审查", "reviewer", 5, 2),
        ("批准", "approver", 1, 0),
    ]
    assert len(response.context["steps"].forms) == 8


def test_an_uploaded_version_with_branches_is_not_turned_into_rows(
    client_as, platform_admin, department_a, department_b
):
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code)
    xml = (
        xml.replace('parallelGateway id="split"', 'exclusiveGateway id="split" default="f3"')
        .replace('parallelGateway id="join"', 'exclusiveGateway id="join"')
        .replace(
            '<bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="review_a"/>',
            '<bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="review_a">'
            "<bpmn:conditionExpression>decision == 'a'</bpmn:conditionExpression></bpmn:sequenceFlow>",
        )
    )
    services.process_definition_upload(actor=platform_admin, key="choice", name="择一", xml=xml.encode())
    client = client_as(platform_admin)
    stages = client.get(url("process_detail", "choice")).context["stages"]
    assert [s.kind for s in stages] == ["choice", "single"]
    response = client.get(url("process_generate"), {"key": "choice"})
    assert not any(row.initial for row in response.context["steps"].forms)
