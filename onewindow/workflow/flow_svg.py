"""A process read for people: its human steps grouped into stages (one step, a parallel joint review 并联, or
alternative branches), and a top-to-bottom flow diagram of those stages drawn as inline SVG by
``workflow/_flow_svg.html`` — no script, no styles, only SVG presentation attributes (the CSP forbids the rest).

The stages come from the BPMN's sequence flows, not from the step order alone, so an uploaded process drawn in
a modeller groups the same way as a generated one: a step's stage is the longest chain of steps before it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from onewindow.workflow.bpmn import BPMN_NS
from onewindow.workflow.models import ProcessStep

SINGLE, PARALLEL, CHOICE = "single", "parallel", "choice"
SPLITS_IN_PARALLEL = {"parallelGateway", "inclusiveGateway"}
TASKS = {"userTask", "manualTask"}


@dataclass
class Stage:
    """Steps that run at the same point of the process: one, several in parallel, or one of several."""

    number: int
    steps: list[ProcessStep]
    kind: str = SINGLE

    @property
    def is_parallel(self) -> bool:
        return self.kind == PARALLEL


def _graph(xml: str) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """(kind of each flow node, its successors, the start events) of the process in ``xml``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    root = etree.fromstring(xml.encode(), parser)
    process = root.find(f"{{{BPMN_NS}}}process")
    kinds: dict[str, str] = {}
    successors: dict[str, list[str]] = {}
    if process is None:
        return kinds, successors, []
    for element in process:
        if not isinstance(element.tag, str) or not element.get("id"):
            continue
        local = etree.QName(element).localname
        if local == "sequenceFlow":
            successors.setdefault(element.get("sourceRef", ""), []).append(element.get("targetRef", ""))
        else:
            kinds[element.get("id", "")] = local
    starts = [ident for ident, kind in kinds.items() if kind == "startEvent"]
    return kinds, successors, starts


def _ranks(kinds: dict[str, str], successors: dict[str, list[str]], starts: list[str]) -> dict[str, int]:
    """The number of steps on the longest loop-free path before each node (returns to earlier steps ignored)."""
    order: list[str] = []
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for start in starts:
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, index = stack.pop()
            following = successors.get(node, [])
            if index < len(following):
                stack.append((node, index + 1))
                target = following[index]
                if state.get(target) == 1:
                    back.add((node, target))
                elif target not in state:
                    state[target] = 1
                    stack.append((target, 0))
            else:
                state[node] = 2
                order.append(node)
    rank: dict[str, int] = dict.fromkeys(starts, 0)
    for node in reversed(order):  # reverse post-order is a topological order once back edges are dropped
        here = rank.get(node, 0) + (1 if kinds.get(node) in TASKS else 0)
        for target in successors.get(node, []):
            if (node, target) not in back:
                rank[target] = max(rank.get(target, 0), here)
    return rank


def process_stages(*, xml: str, steps: Sequence[ProcessStep]) -> list[Stage]:
    """The steps of a definition grouped into stages in the order they run."""
    try:
        kinds, successors, starts = _graph(xml)
    except etree.XMLSyntaxError:
        kinds, successors, starts = {}, {}, []
    rank = _ranks(kinds, successors, starts)
    predecessors: dict[str, set[str]] = {}
    for source, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, set()).add(source)
    unreached = max(rank.values(), default=0) + 1
    groups: dict[int, list[ProcessStep]] = {}
    for step in steps:
        groups.setdefault(rank.get(step.bpmn_id, unreached + step.position), []).append(step)
    stages = []
    for number, key in enumerate(sorted(groups), start=1):
        members = sorted(groups[key], key=lambda s: s.position)
        kind = SINGLE
        if len(members) > 1:
            parallel = all(
                any(kinds.get(p) in SPLITS_IN_PARALLEL for p in predecessors.get(s.bpmn_id, ()))
                for s in members
            )
            kind = PARALLEL if parallel else CHOICE
        stages.append(Stage(number, members, kind))
    return stages


# --- the diagram --------------------------------------------------------------------------------------------

MARGIN, BOX_W, BOX_H, BOX_GAP, ARROW, DIAMOND, EVENT_R = 12, 172, 66, 20, 30, 34, 15
# The diagram fills its column's width (its height follows), so a narrow one is drawn at least this wide
# to keep a one-branch process from being blown up on a wide screen.
MIN_WIDTH = 400
# Roughly how many CJK characters fit on one line of a box at the font sizes the template uses.
NAME_UNITS, LINE_UNITS = 11, 12


def _fit(text: str, units: int) -> str:
    """Cut ``text`` to about ``units`` CJK-character widths (Latin letters count half), ending in "…"."""
    used = 0.0
    for index, char in enumerate(text):
        used += 1 if ord(char) > 0x2E80 else 0.55
        if used > units:
            return text[: max(index - 1, 1)] + "…"
    return text


@dataclass
class Box:
    """A step drawn as a rounded rectangle with up to three lines of text."""

    x: int
    y: int
    step: ProcessStep
    name: str
    department: str
    detail: str

    width, height = BOX_W, BOX_H

    @property
    def cx(self) -> int:
        return self.x + BOX_W // 2

    @property
    def text_x(self) -> int:
        return self.x + 10


@dataclass
class Gateway:
    """A diamond: ``+`` splits or joins a parallel review, ``×`` chooses one branch."""

    cx: int
    y: int
    parallel: bool
    label: str = ""

    @property
    def points(self) -> str:
        h = DIAMOND // 2
        return f"{self.cx},{self.y} {self.cx + h},{self.y + h} {self.cx},{self.y + DIAMOND} {self.cx - h},{self.y + h}"

    @property
    def mid_y(self) -> int:
        return self.y + DIAMOND // 2

    @property
    def label_x(self) -> int:
        return self.cx + DIAMOND // 2 + 8


@dataclass
class Diagram:
    """Everything the template draws, in SVG user units."""

    width: int
    height: int
    cx: int
    start_y: int
    end_y: int
    boxes: list[Box] = field(default_factory=list)
    gateways: list[Gateway] = field(default_factory=list)
    arrows: list[str] = field(default_factory=list)  # polyline points ending in an arrowhead
    summary: str = ""

    @property
    def event_r(self) -> int:
        return EVENT_R

    @property
    def label_x(self) -> int:
        return self.cx + EVENT_R + 8


def _box(x: int, y: int, step: ProcessStep, own_department: str, days_label: Callable[[int], str]) -> Box:
    department = (step.department.short_name or step.department.name) if step.department else own_department
    detail = step.get_role_display()
    if step.limit_days is not None:
        detail = f"{detail} · {days_label(step.limit_days)}"
    # A generated joint review names each branch "审查（部门）"; the department has its own line in the box.
    name = step.name.removesuffix(f"（{department}）") or step.name
    return Box(x, y, step, _fit(name, NAME_UNITS), _fit(department, LINE_UNITS), _fit(detail, LINE_UNITS))


def flow_diagram(
    stages: Sequence[Stage],
    *,
    own_department: str,
    days_label: Callable[[int], str],
    parallel_label: str,
    choice_label: str,
) -> Diagram:
    """Lay the stages out top to bottom: start, each stage (branches side by side), end."""
    widest = max((len(stage.steps) for stage in stages), default=1)
    inner = widest * BOX_W + (widest - 1) * BOX_GAP
    width = max(2 * MARGIN + inner, MIN_WIDTH)
    cx = width // 2
    diagram = Diagram(width=width, height=0, cx=cx, start_y=MARGIN + EVENT_R, end_y=0)
    y = MARGIN + 2 * EVENT_R
    summary = []

    def arrow_down(length: int = ARROW) -> None:
        nonlocal y
        diagram.arrows.append(f"{cx},{y} {cx},{y + length}")
        y += length

    for stage in stages:
        arrow_down()
        if len(stage.steps) == 1:
            step = stage.steps[0]
            diagram.boxes.append(_box(cx - BOX_W // 2, y, step, own_department, days_label))
            summary.append(step.name)
            y += BOX_H
            continue
        parallel = stage.is_parallel
        label = parallel_label if parallel else choice_label
        diagram.gateways.append(Gateway(cx, y, parallel, label))
        y += DIAMOND
        count = len(stage.steps)
        left = cx - (count * BOX_W + (count - 1) * BOX_GAP) // 2
        boxes = [
            _box(left + i * (BOX_W + BOX_GAP), y + ARROW, step, own_department, days_label)
            for i, step in enumerate(stage.steps)
        ]
        half = ARROW // 2
        for box in boxes:
            diagram.arrows.append(f"{cx},{y} {cx},{y + half} {box.cx},{y + half} {box.cx},{y + ARROW}")
        y += ARROW + BOX_H
        for box in boxes:
            diagram.arrows.append(f"{box.cx},{y} {box.cx},{y + half} {cx},{y + half} {cx},{y + ARROW}")
        y += ARROW
        diagram.boxes += boxes
        diagram.gateways.append(Gateway(cx, y, parallel))
        y += DIAMOND
        summary.append(f"{label}（{'、'.join(s.name for s in stage.steps)}）")
    arrow_down()
    diagram.end_y = y + EVENT_R
    diagram.height = y + 2 * EVENT_R + MARGIN
    diagram.summary = " → ".join(summary)
    return diagram
