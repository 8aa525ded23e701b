"""Upload validation refuses what the platform will not run, naming the element; generated BPMN round-trips."""

from __future__ import annotations

import pytest
from lxml import etree

from onewindow.core.errors import DomainError
from onewindow.workflow.bpmn import StepSpec, bpmn_generate, bpmn_validate

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://example.org">'
)


def props(role="reviewer", **more):
    items = {"role": role, **more}
    inner = "".join(f'<camunda:property name="{k}" value="{v}"/>' for k, v in items.items())
    return (
        f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"
    )


def process(body: str, pid: str = "P") -> str:
    return f'<bpmn:process id="{pid}" isExecutable="true">{body}</bpmn:process>'


def linear(middle: str, extra_flows: str = "") -> bytes:
    body = (
        '<bpmn:startEvent id="start"/>'
        + middle
        + '<bpmn:endEvent id="end"/>'
        + '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>'
        + '<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>'
        + extra_flows
    )
    return (HEAD + process(body) + "</bpmn:definitions>").encode()


def refusal(xml: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        bpmn_validate(xml)
    return caught.value


def test_a_valid_user_task_process_is_accepted_with_its_assignment():
    parsed = bpmn_validate(
        linear(f'<bpmn:userTask id="review" name="审核">{props(limit_days="3")}</bpmn:userTask>')
    )
    assert [(s.bpmn_id, s.name, s.role, s.limit_days, s.department_code) for s in parsed.steps] == [
        ("review", "审核", "reviewer", 3, "")
    ]


def test_a_script_task_is_refused_naming_it():
    xml = linear(
        f'<bpmn:userTask id="review" name="审核">{props()}</bpmn:userTask>'
        '<bpmn:scriptTask id="evil" name="清理"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    )
    error = refusal(xml)
    assert error.code == "bpmn_script_refused"
    assert "脚本" in error.message and "evil" in error.message and "清理" in error.message


def test_a_script_hidden_in_extension_elements_is_refused():
    listener = (
        '<bpmn:extensionElements><camunda:executionListener event="start">'
        '<camunda:script scriptFormat="python">print(1)</camunda:script>'
        "</camunda:executionListener></bpmn:extensionElements>"
    )
    error = refusal(linear(f'<bpmn:userTask id="review" name="审核">{listener}</bpmn:userTask>'))
    assert error.code == "bpmn_script_refused" and "review" in error.message


def test_a_service_task_is_refused_as_unsupported():
    error = refusal(linear('<bpmn:serviceTask id="review" name="调用接口"/>'))
    assert error.code == "bpmn_element_unsupported" and "serviceTask" in error.message


def test_a_condition_calling_a_function_is_refused():
    gateway = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="g"/>'
        f'<bpmn:userTask id="review" name="审核">{props()}</bpmn:userTask><bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g"/>'
        '<bpmn:sequenceFlow id="f2" name="调用" sourceRef="g" targetRef="review">'
        '<bpmn:conditionExpression>__import__("os").system("id")</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>'
    )
    error = refusal((HEAD + process(gateway) + "</bpmn:definitions>").encode())
    assert error.code == "bpmn_expression_unsafe" and "f2" in error.message


def test_a_user_task_without_a_role_is_refused_naming_it():
    error = refusal(linear('<bpmn:userTask id="review" name="审核"/>'))
    assert error.code == "bpmn_step_role_missing" and "审核" in error.message


def test_a_missing_end_event_is_refused():
    body = (
        f'<bpmn:startEvent id="start"/><bpmn:userTask id="review" name="审核">{props()}</bpmn:userTask>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>'
    )
    error = refusal((HEAD + process(body) + "</bpmn:definitions>").encode())
    assert error.code == "bpmn_end_event"


def test_a_missing_start_event_is_refused():
    body = f'<bpmn:userTask id="review" name="审核">{props()}</bpmn:userTask><bpmn:endEvent id="end"/>'
    assert refusal((HEAD + process(body) + "</bpmn:definitions>").encode()).code == "bpmn_start_event"


def test_more_than_one_process_is_refused():
    one = '<bpmn:startEvent id="s1"/><bpmn:endEvent id="e1"/>'
    two = '<bpmn:startEvent id="s2"/><bpmn:endEvent id="e2"/>'
    xml = (HEAD + process(one, "A") + process(two, "B") + "</bpmn:definitions>").encode()
    error = refusal(xml)
    assert error.code == "bpmn_process_count" and "2" in error.message


def test_a_file_that_is_not_xml_is_refused():
    assert refusal(b"not xml at all").code == "bpmn_not_xml"


def test_an_external_entity_is_never_resolved():
    xml = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    assert refusal(xml).code in ("bpmn_not_bpmn", "bpmn_not_xml")


def test_generated_bpmn_round_trips_through_the_validator():
    steps = [
        StepSpec(name="承办", role="window_clerk", limit_days=2),
        StepSpec(name="联合审查", role="reviewer", limit_days=5, departments=("A" * 18, "B" * 18)),
        StepSpec(name="批准", role="approver", limit_days=1, departments=("C" * 18,)),
    ]
    xml = bpmn_generate(
        steps, process_id="food", process_name="食品经营许可", department_names={"A" * 18: "市场监管"}
    )
    parsed = bpmn_validate(xml)
    assert parsed.process_id == "food" and parsed.name == "食品经营许可"
    assert [(s.name, s.role, s.department_code, s.limit_days) for s in parsed.steps] == [
        ("承办", "window_clerk", "", 2),
        ("联合审查（市场监管）", "reviewer", "A" * 18, 5),
        ("联合审查（" + "B" * 18 + "）", "reviewer", "B" * 18, 5),
        ("批准", "approver", "C" * 18, 1),
    ]


def test_generated_bpmn_has_a_diagram_shape_for_every_element_and_an_edge_for_every_flow():
    steps = [StepSpec(name="审核", role="reviewer", limit_days=3, departments=("A" * 18, "B" * 18))]
    root = etree.fromstring(bpmn_generate(steps, process_id="p", process_name="p"))
    ns = {
        "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
        "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    }
    nodes = root.xpath("//bpmn:process/*[not(self::bpmn:sequenceFlow)]/@id", namespaces=ns)
    flows = root.xpath("//bpmn:sequenceFlow/@id", namespaces=ns)
    assert sorted(root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=ns)) == sorted(nodes)
    assert sorted(root.xpath("//bpmndi:BPMNEdge/@bpmnElement", namespaces=ns)) == sorted(flows)
    assert len(root.xpath("//bpmn:parallelGateway", namespaces=ns)) == 2


def test_a_bpmn_file_not_in_utf8_is_refused():
    xml = '<?xml version="1.0" encoding="GBK"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="审批"/></definitions>'
    with pytest.raises(DomainError) as refused:
        bpmn_validate(xml.encode("gbk"))
    assert refused.value.code == "bpmn_not_utf8"
