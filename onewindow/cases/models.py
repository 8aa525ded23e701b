"""Cases (办件): one application from draft to delivery, its materials, its timeline and its legal clock
(domain reference §3; GB/T 39046 datasets 6.2–6.5 are exported from these rows)."""

from __future__ import annotations

import datetime as dt
import posixpath
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.fields import SealedFormField
from onewindow.catalogue.models import Bundle, CaseType, Item, ItemVersion, Material
from onewindow.core.models import BaseModel
from onewindow.identity.models import Agency, Company, Person, PersonAgency
from onewindow.organisations.models import Department
from onewindow.workdays.models import Deadline, DeadlinePause


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")  # 收件, waiting for pre-review
    CORRECTION_REQUESTED = "correction_requested", _("correction requested")  # 补齐补正
    ACCEPTED = "accepted", _("accepted")  # 受理
    NOT_ACCEPTED = "not_accepted", _("not accepted")  # 不予受理
    IN_PROCESS = "in_process", _("in process")  # 办理中
    SUSPENDED = "suspended", _("suspended")  # 特别程序, clock stopped
    CONCLUDED = "concluded", _("concluded")  # 办结
    DELIVERED = "delivered", _("delivered")  # 送达
    WITHDRAWN = "withdrawn", _("withdrawn")  # 撤回 / 退件


# The applicant may still change the form and the materials.
EDITABLE_STATUSES = frozenset({CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED})
# Accepted and not yet decided: the legal clock runs (or is paused).
OPEN_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS, CaseStatus.SUSPENDED})


class ConclusionCode(models.IntegerChoices):
    """办结结果 (national exchange table code list)."""

    APPROVED = 0, _("approved (licence issued)")  # 出证办结
    DENIED = 1, _("denied")  # 不予许可
    VOIDED = 2, _("voided")  # 作废
    FORWARDED = 4, _("forwarded to a higher level")  # 转报


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("collected at the window")
    POST = "post", _("posted")
    ELECTRONIC = "electronic", _("electronically")


class Case(BaseModel):
    """One application (办件) for one item, filed under the exact guide version in force at the time.

    ``version`` grows on every state change: a caller holding an older copy is refused with 409 rather than
    overwriting a decision it never saw.
    """

    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    # Set when the applicant acts for a company (经办人): the company is the applicant in law.
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("company applied for"),
    )
    # The authorisation the agent filed under; empty for the legal representative and for persons.
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("authorisation"),
    )
    # Set when an agent applied in a natural person's name (委托代理, 行政许可法 art. 29): ``applicant`` is the
    # principal, this authorisation names the agent.
    person_agency = models.ForeignKey(
        PersonAgency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("personal authorisation"),
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="cases", verbose_name=_("item"))
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("guide version")
    )
    # Life-event bundles (一件事): one parent case, one child per item.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("bundle case"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", verbose_name=_("handling department")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # Personal answers (ID numbers, phones, addresses …) are encrypted at rest: see cases/fields.py.
    form_data = SealedFormField(_("form data"), default=dict, blank=True)

    # --- intake
    walk_in = models.BooleanField(_("filed at a window"), default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by (window clerk)"),
    )
    submitted_at = models.DateTimeField(_("received at"), null=True, blank=True, db_index=True)
    # The corrected materials' receipt: the 5-working-day window and a deemed acceptance run from it
    # (行政许可法 art. 32), not from the first receipt.
    resubmitted_at = models.DateTimeField(_("corrected materials received at"), null=True, blank=True)
    # The last day a correction notice may be sent (5 working days after receipt, 行政许可法 art. 32).
    intake_due_on = models.DateField(_("pre-review due on"), null=True, blank=True, db_index=True)

    # --- acceptance
    number = models.CharField(_("case number"), max_length=50, null=True, blank=True, unique=True)
    query_password_hash = models.CharField(max_length=64, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_by_default = models.BooleanField(
        _("accepted by default"),
        default=False,
        help_text=_("no correction notice within 5 working days of receipt: accepted from the receipt date"),
    )
    # Accepted by a clerk after the 5-working-day window: in law it was accepted on the day of receipt,
    # so the clock runs from then (行政许可法 art. 32) and e-supervision sees the lateness.
    accepted_late = models.BooleanField(_("accepted after the pre-review window"), default=False)
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True)
    deadline = models.OneToOneField(
        Deadline,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
        verbose_name=_("promised deadline"),
    )
    extended_days = models.PositiveIntegerField(_("extension (working days)"), default=0)

    # --- conclusion and delivery
    conclusion_code = models.PositiveSmallIntegerField(
        _("conclusion"), choices=ConclusionCode.choices, null=True, blank=True
    )
    result = models.TextField(_("result"), blank=True)
    conclusion_reason = models.TextField(_("reason for the decision"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery method"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    delivery_address = models.CharField(_("postal address"), max_length=300, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # 撤销: a decision obtained by a false pledge (国办发〔2020〕42号; 行政许可法 art. 69 para. 2).
    decision_revoked_at = models.DateTimeField(_("decision revoked at"), null=True, blank=True)
    decision_revoked_reason = models.TextField(_("reason the decision was revoked"), blank=True)
    # 行政许可法 art. 44: the licence is issued and delivered within 10 working days of the decision.
    delivery_deadline = models.OneToOneField(
        Deadline,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_delivery",
        verbose_name=_("delivery deadline"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # --- life-event bundles (一件事一次办)
    # Set on the parent case only: it stands for the whole bundle, is filed under the bundle's lead item
    # (its first item in stage order, so every column a case needs has a value) and is never handled by a
    # department itself — its children are, one per chosen item, each in its own department's queues.
    bundle = models.ForeignKey(
        Bundle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("life-event bundle"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["department", "status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.item_version.name}（{self.get_status_display()}）"

    @property
    def due_on(self) -> dt.date | None:
        return self.deadline.due_on if self.deadline is not None else None

    @property
    def received_at(self) -> dt.datetime | None:
        """When the application the clerk now decides on arrived: the corrected one after a correction."""
        return self.resubmitted_at or self.submitted_at

    @property
    def delivery_due_on(self) -> dt.date | None:
        return self.delivery_deadline.due_on if self.delivery_deadline is not None else None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_immediate(self) -> bool:
        return self.item_version.case_type == CaseType.IMMEDIATE

    @property
    def form_schema(self) -> dict:
        """The JSON Schema the form was filled under: it says which answers are personal (SealedFormField)."""
        if self.item_version_id is None:
            return {}
        return self.item_version.form_schema or {}

    @property
    def is_bundle(self) -> bool:
        """The parent case of a life-event bundle (its children are the cases departments handle)."""
        return self.bundle_id is not None


class CaseNumberCounter(models.Model):
    """The last serial handed out for an item on a day: case numbers are implementation code + date + serial."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="case_number_counter_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}: {self.last}"


class TrustLevel(models.TextChoices):
    """How far a material can be relied on without checking it again."""

    A = "A", _("A: from the e-licence library or shared data")
    B = "B", _("B: checked against the original at a window")
    C = "C", _("C: uploaded by the applicant")
    # 证明事项告知承诺制 (国办发〔2020〕42号): no document, the applicant's signed pledge, checked afterwards.
    D = "D", _("D: replaced by the applicant's signed pledge")


# A material the data-sharing gateway fetched carries the gateway's query reference, which starts so.
SHARED_DATA_REFERENCE_PREFIX = "GX"


class MaterialStatus(models.TextChoices):
    OK = "ok", _("in order")
    DEFECTIVE = "defective", _("defective")


def case_material_upload_to(instance: CaseMaterial, filename: str) -> str:
    # A random name: the original one is kept in a column, never trusted as a path.
    extension = posixpath.splitext(filename)[1].lower()[:10]
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{extension}"


class CaseMaterial(BaseModel):
    """One file (or platform-obtained record) answering one material of the case's guide version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    file = models.FileField(_("file"), upload_to=case_material_upload_to, blank=True, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    # Detected from the bytes, never taken from the name or the browser.
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The e-licence identifier or shared-data reference for trust level A.
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    trust_level = models.CharField(
        _("trust level"), max_length=1, choices=TrustLevel.choices, default=TrustLevel.C
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MaterialStatus.choices, default=MaterialStatus.OK
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Trust level D: the exact pledge text the applicant accepted, and when (the catalogue's text may change).
    pledge_text = models.TextField(_("pledge text accepted"), blank=True)
    pledged_at = models.DateTimeField(_("pledged at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["case", "material__order", "created_at"]
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")

    def __str__(self) -> str:
        return self.original_name or self.material.name

    @property
    def from_shared_data(self) -> bool:
        """Fetched from a registry through the data-sharing gateway (A · 共享数据 · 已核验)."""
        return self.trust_level == TrustLevel.A and self.reference.startswith(SHARED_DATA_REFERENCE_PREFIX)


class EventAction(models.TextChoices):
    """What happened to a case; also the GB/T 39046 process record type."""

    STARTED = "started", _("application started")
    SUBMITTED = "submitted", _("application received")
    CORRECTION_REQUESTED = "correction_requested", _("correction requested")
    RESUBMITTED = "resubmitted", _("corrected and resubmitted")
    ACCEPTED = "accepted", _("accepted")
    ACCEPTED_BY_DEFAULT = "accepted_by_default", _("accepted by default")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    PROCESS_STARTED = "process_started", _("handling started")
    SUSPENDED = "suspended", _("special procedure started")
    RESUMED = "resumed", _("special procedure ended")
    EXTENSION_REQUESTED = "extension_requested", _("extension requested")
    EXTENDED = "extended", _("time limit extended")
    EXTENSION_REFUSED = "extension_refused", _("extension refused")
    CONCLUDED = "concluded", _("concluded")
    DELIVERED = "delivered", _("result delivered")
    WITHDRAWN = "withdrawn", _("withdrawn")
    PLEDGE_CHECKED = "pledge_checked", _("pledge checked")
    FALSE_PLEDGE = "false_pledge", _("false pledge recorded")
    DECISION_REVOKED = "decision_revoked", _("decision revoked")
    # Processing steps of the department workflow (GB/T 39046 办理过程), written by onewindow.workflow.
    STEP_CLAIMED = "step_claimed", _("step claimed")
    STEP_RELEASED = "step_released", _("step released")
    STEP_APPROVED = "step_approved", _("step approved")
    STEP_RETURNED = "step_returned", _("step returned")
    STEP_TRANSFERRED = "step_transferred", _("step transferred")
    STEP_OPINION = "step_opinion", _("opinion added")
    # Fees (缴费), written by onewindow.payments.
    FEE_DUE = "fee_due", _("awaiting payment")
    FEE_PAID = "fee_paid", _("fee paid")
    FEE_WAIVED = "fee_waived", _("fee waived")
    FEE_REFUNDED = "fee_refunded", _("fee refunded")
    # Postal delivery (邮寄), written by onewindow.delivery.
    SHIPMENT = "shipment", _("postal delivery update")
    MATERIALS_POSTED = "materials_posted", _("materials sent by post")
    MATERIALS_RECEIVED = "materials_received", _("posted materials received")


class CaseEvent(BaseModel):
    """One entry of a case's timeline. ``public`` entries appear on the tracking page, with the department's
    name only — never the staff member's."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24, choices=EventAction.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=CaseStatus.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    public = models.BooleanField(_("shown on the tracking page"), default=True)

    class Meta:
        ordering = ["case", "at", "created_at"]
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class CorrectionRequest(BaseModel):
    """A correction notice (补齐补正告知书): every missing or defective material in one notice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="correction_requests")
    items = models.JSONField(_("problems"), default=list, help_text=_("[{material_id, material, problem}]"))
    notice_number = models.CharField(_("notice number"), max_length=60, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline_on = models.DateField(_("correct by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "-sent_at"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return self.notice_number


class ProcedureKind(models.TextChoices):
    """特别程序: the time they take is not counted (行政许可法 art. 45), except an extension, which adds days."""

    HEARING = "hearing", _("hearing")  # 听证
    INSPECTION = "inspection", _("on-site inspection")  # 现场勘验
    TESTING = "testing", _("testing")  # 检验检测
    QUARANTINE = "quarantine", _("quarantine")  # 检疫
    APPRAISAL = "appraisal", _("appraisal")  # 鉴定
    EXPERT_REVIEW = "expert_review", _("expert review")  # 专家评审
    EXTENSION = "extension", _("extension")  # 延期


class SpecialProcedure(BaseModel):
    """A special procedure on a case with its basis: a pause of the clock, or an extension by working days."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("kind"), max_length=16, choices=ProcedureKind.choices)
    basis = models.CharField(_("legal basis"), max_length=300)
    reason = models.TextField(_("reason"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("working days added"), default=0)
    # 行政许可法 art. 45: the applicant is told in writing how long the procedure is expected to take.
    expected_working_days = models.PositiveIntegerField(_("expected duration (working days)"), null=True)
    expected_end_on = models.DateField(_("expected to end on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    pause = models.OneToOneField(
        DeadlinePause, null=True, blank=True, on_delete=models.PROTECT, related_name="special_procedure"
    )

    class Meta:
        ordering = ["case", "started_on", "created_at"]
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class IdempotencyKey(BaseModel):
    """A client's ``Idempotency-Key``: a retried request finds the case the first one made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    # What the first request asked for: the same key with a different request is a client bug, refused.
    fingerprint = models.CharField(max_length=64)
    # Empty only inside the first request's transaction: the key is claimed before the work is done.
    case = models.ForeignKey(Case, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]


# Split out to keep this module readable; imported here so Django registers them with the app.
from onewindow.cases.models_extensions import ExtensionRequest as ExtensionRequest  # noqa: E402
from onewindow.cases.models_extensions import ExtensionStatus as ExtensionStatus  # noqa: E402
from onewindow.cases.models_messages import CaseMessage as CaseMessage  # noqa: E402
from onewindow.cases.models_messages import DeliveryStatus as DeliveryStatus  # noqa: E402
from onewindow.cases.models_messages import NotificationChannel as NotificationChannel  # noqa: E402
from onewindow.cases.models_messages import NotificationDelivery as NotificationDelivery  # noqa: E402
from onewindow.cases.models_pledges import FalsePledge as FalsePledge  # noqa: E402
from onewindow.cases.models_pledges import PledgeCheck as PledgeCheck  # noqa: E402
from onewindow.cases.models_pledges import PledgeCheckStatus as PledgeCheckStatus  # noqa: E402
