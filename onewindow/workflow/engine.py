"""The SpiffWorkflow side: build a workflow from a definition, load and store its state as JSON, list its
ready human tasks. Conditions are evaluated by a script engine that re-checks every expression and never
executes scripts, so even a definition that slipped past upload validation cannot run code."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins import InclusiveGatewayMixin, ParallelGatewayMixin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from onewindow.core.errors import DomainError
from onewindow.workflow.bpmn import bpmn_validate, expression_check
from onewindow.workflow.models import ProcessDefinition

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure())
# Parsed specs (and their serialised form) by the definition's SHA-256: definitions are immutable, so one parse
# serves every case of a version for the life of the process.
_SPECS: dict[str, BpmnProcessSpec] = {}
_SPEC_JSON: dict[str, str] = {}


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates only simple comparisons; refuses to execute any script."""

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        expression_check(expression, where=f"环节“{task.task_spec.bpmn_name or task.task_spec.name}”")
        return super().evaluate(task, expression, external_context)

    def execute(self, task: Task, script: str, external_context: dict[str, Any] | None = None) -> Any:
        raise DomainError(code="bpmn_script_refused", message="平台不执行流程中的脚本。", status=409)


SCRIPT_ENGINE = SafeScriptEngine()


def spec_for(definition: ProcessDefinition) -> BpmnProcessSpec:
    spec = _SPECS.get(definition.sha256)
    if spec is None:
        spec = _SPECS[definition.sha256] = bpmn_validate(definition.bpmn_xml.encode()).spec
    return spec


def workflow_new(definition: ProcessDefinition) -> BpmnWorkflow:
    """A fresh workflow of ``definition``, advanced to its first human tasks."""
    workflow = BpmnWorkflow(spec_for(definition), script_engine=SCRIPT_ENGINE)
    workflow.do_engine_steps()
    return workflow


def _spec_json(definition: ProcessDefinition) -> str:
    serialised = _SPEC_JSON.get(definition.sha256)
    if serialised is None:
        whole = json.loads(SERIALIZER.serialize_json(BpmnWorkflow(spec_for(definition))))
        serialised = _SPEC_JSON[definition.sha256] = json.dumps(whole["spec"])
    return serialised


def workflow_load(state: dict[str, Any], definition: ProcessDefinition) -> BpmnWorkflow:
    """Rebuild a case's workflow from its stored state and its definition's spec."""
    whole = dict(state, spec=json.loads(_spec_json(definition)))
    SERIALIZER.migrate(whole)
    workflow = SERIALIZER.from_dict(whole)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def workflow_dump(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The workflow's state as JSON, without the process spec: that is the definition's, identical for every
    case of a version, and would be 40 % of each row."""
    state: dict[str, Any] = json.loads(SERIALIZER.serialize_json(workflow))
    del state["spec"]
    return state


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def is_parallel_split(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, (ParallelGatewayMixin, InclusiveGatewayMixin)) and len(spec.outputs) > 1


def is_parallel_join(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, (ParallelGatewayMixin, InclusiveGatewayMixin)) and len(spec.inputs) > 1


def return_targets(task: Task) -> list[Task]:
    """The completed human tasks a task may be returned (退回) to, nearest first.

    Walking up the task tree, a target inside a parallel region that the current task is past the join of is
    skipped: resetting one branch of a joint review after its join would leave the other branch's approval
    standing. Such returns go to the step before the split instead, so every department reviews again.
    """
    targets, depth, current = [], 0, task.parent
    while current is not None:
        if is_parallel_join(current):
            depth += 1
        elif is_parallel_split(current):
            depth = max(0, depth - 1)
        elif current.task_spec.manual and current.state == TaskState.COMPLETED and depth == 0:
            targets.append(current)
        current = current.parent
    return targets
