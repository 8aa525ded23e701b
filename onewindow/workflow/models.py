"""Department workflows: BPMN process definitions, the engine state of each case's process, and the relational
mirror of its ready human tasks that inboxes and reports query (never the engine blob)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel
from onewindow.organisations.models import Role


class ProcessDefinition(BaseModel):
    """One version of a BPMN process. Immutable once a case ran it; a new upload under the same key is the
    next version, and running cases keep the version they started with."""

    key = models.CharField(_("key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # The department that maintains the key (set with its first version, copied to the next ones): its
    # administrators may publish new versions. Empty: only platform administrators may.
    department = models.ForeignKey(
        "organisations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("maintained by"),
    )

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_definition_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.key} v{self.version}）"


class ProcessStep(BaseModel):
    """A human step of a definition, read from its BPMN on upload: who handles it and in how many working days."""

    definition = models.ForeignKey(
        ProcessDefinition,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("process definition"),
    )
    bpmn_id = models.CharField(_("BPMN task id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))
    # Empty: the case's own (handling) department.
    department = models.ForeignKey(
        "organisations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)

    class Meta:
        ordering = ["definition", "position"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        constraints = [
            models.UniqueConstraint(fields=["definition", "bpmn_id"], name="process_step_unique_bpmn_id"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessAssignment(BaseModel):
    """Which process an item's cases run: the latest version of ``definition_key`` when the case starts."""

    item = models.OneToOneField(
        "catalogue.Item", on_delete=models.CASCADE, related_name="process_assignment", verbose_name=_("item")
    )
    definition_key = models.CharField(_("process key"), max_length=64)

    class Meta:
        verbose_name = _("process assignment")
        verbose_name_plural = _("process assignments")

    def __str__(self) -> str:
        return f"{self.item_id} → {self.definition_key}"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed (ready to conclude)")
    CANCELLED = "cancelled", _("cancelled")


class ProcessInstance(BaseModel):
    """The engine state of one case's process, serialised as JSON. ``revision`` grows with every engine step so
    a stale writer is detected; a completed instance means every step approved and the case may be concluded."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="process", verbose_name=_("case")
    )
    definition = models.ForeignKey(
        ProcessDefinition,
        on_delete=models.PROTECT,
        related_name="instances",
        verbose_name=_("process definition"),
    )
    state = models.JSONField(_("engine state"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstanceStatus.choices,
        default=InstanceStatus.RUNNING,
        db_index=True,
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.definition}"


class TaskStatus(models.TextChoices):
    READY = "ready", _("to do")
    CLAIMED = "claimed", _("claimed")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


OPEN_TASK_STATUSES = (TaskStatus.READY, TaskStatus.CLAIMED)


class TaskAction(models.TextChoices):
    APPROVE = "approve", _("approved")
    RETURN = "return", _("returned")


class WorkTask(BaseModel):
    """One human task of a case's process (GB/T 39046 processing step): who must do it, who did, when, with
    what opinion. Open rows mirror the engine's ready tasks one to one; finished rows are the step history."""

    instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("process instance")
    )
    # Denormalised from the instance so inboxes filter and join without touching the engine state.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="work_tasks", verbose_name=_("case")
    )
    spiff_task_id = models.UUIDField(_("engine task id"))
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step"))
    name = models.CharField(_("step name"), max_length=200)
    department = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.READY
    )
    opened_at = models.DateTimeField(_("opened at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("completed by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=TaskAction.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    deadline = models.OneToOneField(
        "workdays.Deadline",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("step deadline"),
    )
    # Copied from the deadline so inboxes sort and filter "overdue / due soon" on an indexed column.
    due_on = models.DateField(_("step due date"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "created_at"]
        verbose_name = _("work task")
        verbose_name_plural = _("work tasks")
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="worktask_department_status"),
            # Serves both halves of a person's inbox: their own tasks (assignee, status) and the unclaimed ones of
            # their department and role (assignee NULL, ready, department, role) — bench/workflow.py: 272 → 65 ms.
            models.Index(
                fields=["assignee", "status", "department", "role", "due_on"], name="worktask_assignee_status"
            ),
            models.Index(fields=["due_on"], name="worktask_due_on"),
            # E-supervision's repeated-returns check reads the returns since its previous scan.
            models.Index(
                fields=["completed_at"],
                name="worktask_returned_at",
                condition=models.Q(action=TaskAction.RETURN),
            ),
        ]
        constraints = [
            # A reset engine task keeps its id, so only one open row per engine task, any number of finished ones.
            models.UniqueConstraint(
                fields=["spiff_task_id"],
                condition=models.Q(status__in=["ready", "claimed"]),
                name="worktask_one_open_row_per_engine_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class TaskOpinion(BaseModel):
    """An opinion added to a step without finishing it (e.g. a note for the next handler)."""

    task = models.ForeignKey(
        WorkTask, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("task")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("opinion"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("task opinion")
        verbose_name_plural = _("task opinions")

    def __str__(self) -> str:
        return self.text[:50]
