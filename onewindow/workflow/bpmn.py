"""BPMN 2.0 in and out: validate an uploaded process (no scripts, one process, every human step assigned) and
write one from a simple list of steps, with diagram information so it opens in bpmn.io / Camunda Modeler.

Step assignments travel as extension properties on each user task, the form Camunda Modeler edits in its
properties panel (``camunda:properties``; Zeebe's ``zeebe:properties`` is read the same way):
``department`` (the department's unified social credit code; empty = the case's own department),
``role`` (reviewer, approver or window_clerk) and ``limit_days`` (working days for the step).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from onewindow.core.errors import DomainError
from onewindow.organisations.models import Role

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
STEP_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER)
MAX_BPMN_BYTES = 2 * 1024 * 1024
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")

# What a process may contain. Anything else (service / script / business-rule tasks, call activities, sub-
# processes, timers, messages …) either runs code or waits on something our engine loop never delivers.
ALLOWED_IN_PROCESS = {
    "startEvent",
    "endEvent",
    "userTask",
    "manualTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "sequenceFlow",
    "laneSet",
    "textAnnotation",
    "association",
    "documentation",
    "extensionElements",
}
# Gateway conditions are evaluated by the engine with Python ``eval``; only these syntax nodes may appear, so a
# condition can compare task data with literals and nothing more (no calls, attributes, subscripts, lambdas).
SAFE_EXPRESSION_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.List,
)
EXPRESSION_ELEMENTS = {"conditionExpression", "formalExpression", "expression"}


@dataclass(frozen=True)
class ParsedStep:
    """One human step of a process as the BPMN describes it."""

    bpmn_id: str
    name: str
    role: str
    department_code: str = ""  # empty: the case's own department
    limit_days: int | None = None
    position: int = 0


@dataclass
class ParsedProcess:
    """A validated process: its BPMN id and name, its human steps in document order, and the engine spec."""

    process_id: str
    name: str
    steps: list[ParsedStep]
    spec: BpmnProcessSpec = field(repr=False)


@dataclass(frozen=True)
class StepSpec:
    """One step of a generated process. Several departments make it a parallel joint review (并联审批):
    one task per department between a parallel split and a parallel join."""

    name: str
    role: str
    limit_days: int
    departments: tuple[str, ...] = ()  # credit codes; empty: the case's own department


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _label(element: etree._Element) -> str:
    name, ident = element.get("name"), element.get("id", "")
    return f"“{name}”（{ident}）" if name else f"“{ident}”"


def _refuse(code: str, message: str) -> DomainError:
    return DomainError(code=code, message=message)


def expression_check(expression: str, *, where: str) -> None:
    """Refuse an expression that is more than comparisons of task data with literals."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise _refuse("bpmn_expression_invalid", f"{where}的条件表达式无法解析，请检查语法。") from exc
    for node in ast.walk(tree):
        if not isinstance(node, SAFE_EXPRESSION_NODES):
            raise _refuse(
                "bpmn_expression_unsafe",
                f"{where}的条件表达式只能比较流程数据与常量（如 decision == 'approve'），"
                "不能调用函数、访问属性或下标。请简化后重新上传。",
            )
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise _refuse("bpmn_expression_unsafe", f"{where}的条件表达式不能使用以下划线开头的名称。")


def _properties(task: etree._Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for child in task:
        if _local(child) != "extensionElements":
            continue
        for element in child.iter():
            if _local(element) == "property" and element.get("name"):
                props[element.get("name", "").strip()] = (element.get("value") or "").strip()
    return props


def _step_of(task: etree._Element, position: int) -> ParsedStep:
    label = _label(task)
    props = _properties(task)
    role = props.get("role", "")
    if role not in STEP_ROLES:
        raise _refuse(
            "bpmn_step_role_missing",
            f"用户任务{label}没有指定岗位：请在扩展属性中添加 role，取值为 window_clerk（窗口受理）、"
            "reviewer（审核）或 approver（审批）。",
        )
    department = props.get("department", "")
    if department and not re.fullmatch(r"[0-9A-Z]{18}", department):
        raise _refuse(
            "bpmn_step_department_invalid",
            f"用户任务{label}的 department 应为部门的 18 位统一社会信用代码，或留空表示办件所属部门。",
        )
    limit: int | None = None
    if props.get("limit_days"):
        try:
            limit = int(props["limit_days"])
        except ValueError:
            limit = -1
        if not 0 <= limit <= 365:
            raise _refuse(
                "bpmn_step_limit_invalid", f"用户任务{label}的 limit_days 应为 0–365 之间的工作日数。"
            )
    return ParsedStep(
        bpmn_id=task.get("id", ""),
        name=(task.get("name") or task.get("id", "")).strip()[:200],
        role=role,
        department_code=department,
        limit_days=limit,
        position=position,
    )


def _xml_parse(xml: bytes) -> etree._Element:
    if len(xml) > MAX_BPMN_BYTES:
        raise _refuse("bpmn_too_large", "BPMN 文件超过 2 MB，请检查是否上传了正确的文件。")
    try:
        # Stored and re-parsed as UTF-8 text: a GBK export would pass lxml here and fail later.
        xml.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            "bpmn_not_utf8", "BPMN 文件须为 UTF-8 编码。请在建模工具中以 UTF-8 重新导出。"
        ) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(
            "bpmn_not_xml", f"文件不是有效的 XML：{exc.msg}。请从建模工具重新导出 BPMN 文件。"
        ) from exc
    if etree.QName(root).namespace != BPMN_NS or _local(root) != "definitions":
        raise _refuse("bpmn_not_bpmn", "文件不是 BPMN 2.0 流程定义（根元素应为 bpmn:definitions）。")
    return root


def _scripts_refuse(root: etree._Element) -> None:
    for element in root.iter():
        local = _local(element)
        if local == "scriptTask" or local == "script" or local.endswith("script"):
            owner = element
            while owner is not None and owner.get("id") is None:
                owner = owner.getparent()
            where = _label(owner) if owner is not None else "文件中"
            raise _refuse(
                "bpmn_script_refused",
                f"流程包含脚本（{local}，位于{where}）。为了安全，平台不执行上传流程中的脚本，"
                "请改用用户任务或网关条件后重新上传。",
            )


def bpmn_validate(xml: bytes) -> ParsedProcess:
    """Parse and check an uploaded BPMN file; refuse anything the platform will not run, naming the element."""
    root = _xml_parse(xml)
    _scripts_refuse(root)
    try:
        BpmnValidator().validate(root)
    except ValidationException as exc:
        raise _refuse(
            "bpmn_schema_invalid", f"文件不符合 BPMN 2.0 规范：{exc}。请在建模工具中修正后重新导出。"
        ) from exc
    processes = [child for child in root if _local(child) == "process"]
    if len(processes) != 1:
        raise _refuse(
            "bpmn_process_count",
            f"文件应只包含一个流程，实际包含 {len(processes)} 个。请每个文件上传一个流程。",
        )
    process = processes[0]
    for element in process:
        if _local(element) not in ALLOWED_IN_PROCESS:
            raise _refuse(
                "bpmn_element_unsupported",
                f"暂不支持流程元素 {_local(element)} {_label(element)}。"
                "可用元素：开始事件、结束事件、用户任务、手工任务、排他 / 并行 / 包容网关与顺序流。",
            )
    for element in process.iter():
        local = _local(element)
        if local.endswith("EventDefinition"):
            raise _refuse(
                "bpmn_event_unsupported",
                f"暂不支持带事件定义的事件（{local}，位于{_label(element.getparent())}），请使用普通开始 / 结束事件。",
            )
        if local in EXPRESSION_ELEMENTS and (element.text or "").strip():
            owner = element.getparent()
            expression_check(element.text or "", where=f"顺序流{_label(owner)}")
    starts = [e for e in process if _local(e) == "startEvent"]
    if len(starts) != 1:
        raise _refuse("bpmn_start_event", "流程应有且只有一个开始事件。")
    if not any(_local(e) == "endEvent" for e in process):
        raise _refuse("bpmn_end_event", "流程缺少结束事件。")
    tasks = [e for e in process if _local(e) in ("userTask", "manualTask")]
    if not tasks:
        raise _refuse("bpmn_no_steps", "流程中没有用户任务，请至少添加一个办理环节。")
    steps = [_step_of(task, position) for position, task in enumerate(tasks, start=1)]
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename="upload.bpmn")
        spec = parser.get_spec(process.get("id"))
    except ValidationException as exc:
        raise _refuse("bpmn_invalid", f"流程无法解析：{exc}。请检查连线与网关后重新上传。") from exc
    return ParsedProcess(
        process_id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        steps=steps,
        spec=spec,
    )


# --- generation ----------------------------------------------------------------------------------------

TASK_W, TASK_H, EVENT, GATEWAY, GAP, ROW = 100, 80, 36, 50, 50, 110


@dataclass
class _Node:
    ident: str
    kind: str  # startEvent, endEvent, userTask, parallelGateway
    x: int
    y: int
    name: str = ""
    props: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return {
            "startEvent": (EVENT, EVENT),
            "endEvent": (EVENT, EVENT),
            "parallelGateway": (GATEWAY, GATEWAY),
        }.get(self.kind, (TASK_W, TASK_H))

    @property
    def mid_y(self) -> int:
        return self.y + self.size[1] // 2


def bpmn_generate(
    steps: Sequence[StepSpec],
    *,
    process_id: str,
    process_name: str,
    department_names: dict[str, str] | None = None,
) -> bytes:
    """Write a BPMN 2.0 file (with its diagram) for a sequence of steps, e.g. 承办 → 审核 → 批准."""
    if not steps:
        raise _refuse("bpmn_no_steps", "请至少添加一个办理环节。")
    names = department_names or {}
    centre = 200
    nodes: list[_Node] = [_Node("StartEvent_1", "startEvent", 150, centre - EVENT // 2, "开始")]
    flows: list[tuple[str, str]] = []
    x = 150 + EVENT + GAP
    previous = ["StartEvent_1"]
    for index, step in enumerate(steps, start=1):
        if step.role not in STEP_ROLES:
            raise _refuse("bpmn_step_role_missing", f"第 {index} 步“{step.name}”的岗位无效。")
        props = {"role": str(step.role), "limit_days": str(step.limit_days)}
        if len(step.departments) <= 1:
            ident = f"Step_{index}"
            node_props = props | ({"department": step.departments[0]} if step.departments else {})
            nodes.append(_Node(ident, "userTask", x, centre - TASK_H // 2, step.name, node_props))
            flows += [(p, ident) for p in previous]
            previous, x = [ident], x + TASK_W + GAP
            continue
        split, join = f"Gateway_{index}_split", f"Gateway_{index}_join"
        nodes.append(_Node(split, "parallelGateway", x, centre - GATEWAY // 2))
        flows += [(p, split) for p in previous]
        x += GATEWAY + GAP
        count = len(step.departments)
        branch_ids = []
        for j, code in enumerate(step.departments, start=1):
            ident = f"Step_{index}_{j}"
            y = centre - TASK_H // 2 + (j - 1) * ROW - (count - 1) * ROW // 2
            label = f"{step.name}（{names.get(code, code)}）"
            nodes.append(_Node(ident, "userTask", x, y, label, props | {"department": code}))
            flows.append((split, ident))
            branch_ids.append(ident)
        x += TASK_W + GAP
        nodes.append(_Node(join, "parallelGateway", x, centre - GATEWAY // 2))
        flows += [(b, join) for b in branch_ids]
        previous, x = [join], x + GATEWAY + GAP
    nodes.append(_Node("EndEvent_1", "endEvent", x, centre - EVENT // 2, "办结"))
    flows += [(p, "EndEvent_1") for p in previous]
    return _bpmn_write(nodes, flows, process_id=process_id, process_name=process_name)


def _bpmn_write(
    nodes: list[_Node], flows: list[tuple[str, str]], *, process_id: str, process_name: str
) -> bytes:
    by_id = {n.ident: n for n in nodes}
    flow_ids = [(f"Flow_{i}", s, t) for i, (s, t) in enumerate(flows, start=1)]
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, s, t in flow_ids:
        outgoing.setdefault(s, []).append(fid)
        incoming.setdefault(t, []).append(fid)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" '
        'targetNamespace="https://onewindow.example/bpmn" exporter="onewindow" exporterVersion="1">',
        f'  <bpmn:process id={quoteattr(process_id)} name={quoteattr(process_name)} isExecutable="true">',
    ]
    for node in nodes:
        attrs = f"id={quoteattr(node.ident)}" + (f" name={quoteattr(node.name)}" if node.name else "")
        out.append(f"    <bpmn:{node.kind} {attrs}>")
        if node.props:
            out.append("      <bpmn:extensionElements><camunda:properties>")
            out += [
                f"        <camunda:property name={quoteattr(k)} value={quoteattr(v)} />"
                for k, v in node.props.items()
            ]
            out.append("      </camunda:properties></bpmn:extensionElements>")
        out += [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node.ident, [])]
        out += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node.ident, [])]
        out.append(f"    </bpmn:{node.kind}>")
    out += [
        f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{escape(s)}" targetRef="{escape(t)}" />'
        for fid, s, t in flow_ids
    ]
    out.append("  </bpmn:process>")
    out.append('  <bpmndi:BPMNDiagram id="BPMNDiagram_1">')
    out.append(f'    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement={quoteattr(process_id)}>')
    for node in nodes:
        w, h = node.size
        out.append(f'      <bpmndi:BPMNShape id="{node.ident}_di" bpmnElement="{node.ident}">')
        out.append(f'        <dc:Bounds x="{node.x}" y="{node.y}" width="{w}" height="{h}" />')
        out.append("      </bpmndi:BPMNShape>")
    for fid, s, t in flow_ids:
        a, b = by_id[s], by_id[t]
        x1, x2 = a.x + a.size[0], b.x
        points = [(x1, a.mid_y)]
        if a.mid_y != b.mid_y:
            # Orthogonal elbow: leave the gateway/task horizontally, turn at the middle of the gap.
            elbow = (x1 + x2) // 2
            points += [(elbow, a.mid_y), (elbow, b.mid_y)]
        points.append((x2, b.mid_y))
        out.append(f'      <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">')
        out += [f'        <di:waypoint x="{px}" y="{py}" />' for px, py in points]
        out.append("      </bpmndi:BPMNEdge>")
    out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>", "</bpmn:definitions>", ""]
    return "\n".join(out).encode()
