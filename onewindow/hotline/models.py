"""The 12345 government service hotline (国办发〔2020〕53号): the dispatch catalogue 派单目录, routing rules,
tickets with their dispatches to a lead department 主办 and co-handlers 协办, and the timeline.

The state table (docs/hotline.md) is enforced by the predicates below and the services: a ticket moves
received → dispatched → in progress → responded → closed; a dispatched ticket may be returned 退单 (then the
12345 office re-dispatches it 改派 or rejects the return); a duplicate is merged 并单 into another ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField
from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department, Region

DESCRIPTION_MAX = 4000  # Open311 GeoReport v2: descriptions up to 4,000 characters.


class HotlineOffice(BaseModel):
    """A department acting as the 12345 office: its staff take calls; its heads decide disputed returns."""

    department = models.OneToOneField(
        Department, on_delete=models.PROTECT, related_name="hotline_office", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("12345 office")
        verbose_name_plural = _("12345 offices")

    def __str__(self) -> str:
        return self.department.name


class DispatchCategory(BaseModel):
    """One entry of the dispatch catalogue 派单目录, drawn from a department's duties (三定职责)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("group"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    duty_basis = models.CharField(_("duty basis"), max_length=300, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("default lead department")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("default co-handlers")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("dispatch category")
        verbose_name_plural = _("dispatch catalogue")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def keyword_list(self) -> list[str]:
        return [word for word in self.keywords.replace("，", ",").split(",") if word.strip()]


class RoutingRule(BaseModel):
    """Where a category's tickets go in one region (属地管理): the lead department and its co-handlers."""

    category = models.ForeignKey(
        DispatchCategory, on_delete=models.CASCADE, related_name="rules", verbose_name=_("category")
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead department")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("co-handlers")
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="hotline_rule_one_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.category.code} @ {self.region.name}"


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    WEB = "web", _("web")
    MOBILE = "mobile", _("mobile")
    OPEN311 = "open311", _("Open311 client")


class Kind(models.TextChoices):
    CONSULT = "consult", _("consultation")
    HELP = "help", _("request for help")
    COMPLAINT = "complaint", _("complaint")
    REPORT = "report", _("report")
    SUGGESTION = "suggestion", _("suggestion")


class TicketStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    DISPATCHED = "dispatched", _("dispatched")
    RETURNED = "returned", _("returned, awaiting the 12345 office")
    IN_PROGRESS = "in_progress", _("in progress")
    RESPONDED = "responded", _("responded")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged into another ticket")


OPEN_STATUSES = (
    TicketStatus.RECEIVED,
    TicketStatus.DISPATCHED,
    TicketStatus.RETURNED,
    TicketStatus.IN_PROGRESS,
)


class Satisfaction(models.IntegerChoices):
    SATISFIED = 1, _("satisfied")
    FAIRLY_SATISFIED = 2, _("fairly satisfied")
    UNSATISFIED = 3, _("unsatisfied")


class Open311Client(BaseModel):
    """A registered Open311 client (GeoReport v2 api_key): only the key's SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class Ticket(BaseModel):
    """One request to 12345 (工单): who called is encrypted and shown only to its handlers."""

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.HELP)
    category = models.ForeignKey(
        DispatchCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("category"),
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    caller_name = EncryptedTextField(_("caller's name"), blank=True)
    caller_phone = EncryptedTextField(_("caller's phone"), blank=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_tickets",
        verbose_name=_("citizen account"),
    )
    open311_client = models.ForeignKey(
        Open311Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.RECEIVED, db_index=True
    )
    lead_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_tickets",
        verbose_name=_("lead department"),
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # The clock: started at the (re-)dispatch to the department that must answer (docs/hotline.md).
    clock_start_on = models.DateField(_("clock started on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("call-back satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )
    callback_note = models.CharField(_("call-back note"), max_length=500, blank=True)
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("hotline ticket")
        verbose_name_plural = _("hotline tickets")
        indexes = [
            models.Index(fields=["lead_department", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.number

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_dispatch(self) -> bool:
        return self.status == TicketStatus.RECEIVED

    def can_sign(self) -> bool:
        return self.status == TicketStatus.DISPATCHED

    def can_return(self) -> bool:
        return self.status in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS)

    def can_respond(self) -> bool:
        return self.status in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS)

    def can_call_back(self) -> bool:
        return self.status == TicketStatus.RESPONDED

    def can_merge(self) -> bool:
        return self.status in (TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS)

    def open311_status(self) -> str:
        return "open" if self.is_open() else "closed"


class DispatchRole(models.TextChoices):
    LEAD = "lead", _("lead department")
    CO = "co", _("co-handler")


class DispatchState(models.TextChoices):
    ACTIVE = "active", _("active")
    RETURN_PENDING = "return_pending", _("return awaiting decision")
    RETURNED = "returned", _("returned (accepted by the office)")
    RETURN_REJECTED = "return_rejected", _("return rejected")
    DONE = "done", _("done")


class Dispatch(BaseModel):
    """One department's share of a ticket: lead or co-handler, with a return and the office's decision."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="dispatches")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=4, choices=DispatchRole.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=DispatchState.choices, default=DispatchState.ACTIVE
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=500, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    decision_note = models.CharField(_("office decision"), max_length=500, blank=True)
    opinion = models.TextField(_("co-handler's opinion"), blank=True)

    class Meta:
        ordering = ["dispatched_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return f"{self.ticket.number} → {self.department.name}"


EVENT_LABELS = {
    "create": _("received"),
    "dispatch": _("dispatched"),
    "sign": _("signed for"),
    "return": _("returned"),
    "return_rejected": _("return rejected"),
    "redispatch": _("re-dispatched"),
    "co_opinion": _("co-handler's opinion"),
    "respond": _("responded"),
    "call_back": _("called back"),
    "merged": _("merged into another ticket"),
    "merge": _("duplicate merged in"),
    "escalate": _("escalated"),
}


class TicketEvent(BaseModel):
    """One line of the ticket's timeline; ``public_note`` is what Open311 shows as status_notes."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    public_note = models.CharField(_("public note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "created_at"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.action}"

    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))
