"""The data-sharing platform 政务服务数据共享平台 (issue #13): the shared-resource catalogue 政务信息资源目录, the
consumer departments' approvals for a field set and a purpose, the signed access log of every query and what
intake checked against the registries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class SharingClass(models.TextChoices):
    """《政务信息资源共享管理暂行办法》 art. 9: every resource is in exactly one class."""

    UNCONDITIONAL = "unconditional", _("shared unconditionally")
    CONDITIONAL = "conditional", _("shared on conditions")
    NOT_SHARED = "not_shared", _("not shared")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("real time")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")


class SubjectKind(models.TextChoices):
    """Whom a resource's records are about: a person (citizen ID number) or a legal person (credit code)."""

    PERSON = "person", _("natural person")
    COMPANY = "company", _("legal person")


class SharedResource(BaseModel):
    """One entry of the resource catalogue: a registry's data set, its fields, provider, class and basis."""

    code = models.SlugField(_("resource code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    provider = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    # The connector (plug-in kind ``registry.<registry>``) that answers queries on this resource.
    registry = models.CharField(_("registry"), max_length=40)
    subject_kind = models.CharField(_("records are about"), max_length=10, choices=SubjectKind.choices)
    sharing_class = models.CharField(_("sharing class"), max_length=16, choices=SharingClass.choices)
    update_frequency = models.CharField(
        _("update frequency"),
        max_length=10,
        choices=UpdateFrequency.choices,
        default=UpdateFrequency.REALTIME,
    )
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    # [{"key": "name", "name": "姓名"}, …] in the registry's order.
    fields = models.JSONField(_("fields"), default=list)
    # Guide materials (catalogue Material.key) this resource answers at intake, instead of an upload.
    material_keys = models.JSONField(_("materials it answers"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")

    def __str__(self) -> str:
        return self.name

    @property
    def field_keys(self) -> list[str]:
        return [str(f["key"]) for f in self.fields]

    def field_names(self, keys: list[str]) -> list[str]:
        names = {str(f["key"]): str(f["name"]) for f in self.fields}
        return [names.get(key, key) for key in keys]


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    REVOKED = "revoked", _("revoked")


class SharingApproval(BaseModel):
    """A consumer department's application for some fields of a resource, for one purpose, and the
    provider's decision. Only an approved, unexpired, unrevoked approval lets a query through."""

    resource = models.ForeignKey(
        SharedResource, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("resource")
    )
    consumer = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("consumer")
    )
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=200)
    basis = models.CharField(_("basis for the need"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sharing approval")
        verbose_name_plural = _("sharing approvals")

    def __str__(self) -> str:
        return f"{self.consumer} · {self.resource} · {self.purpose}"

    @property
    def field_labels(self) -> list[str]:
        return self.resource.field_names(list(self.fields))


class QueryOutcome(models.TextChoices):
    ANSWERED = "answered", _("answered")
    NO_RECORD = "no_record", _("no record in the registry")
    REFUSED = "refused", _("refused: outside the approval")
    UNAVAILABLE = "unavailable", _("registry unavailable")


class AccessLogEntry(models.Model):
    """One query through the gateway (X-Road's message log): who asked, for which case and purpose, which
    fields were asked and given, and the outcome. Append-only: ``seq`` is previous + 1 under the head lock,
    ``entry_hash = SM3(prev_hash + canonical entry)``, and ``signature`` is Ed25519 over the hash with the key
    in the data directory, so ``onewindow sharing_log_verify`` finds an edited, removed or reordered entry."""

    seq = models.BigIntegerField(primary_key=True)
    reference = models.CharField(_("query reference"), max_length=40, unique=True)
    at = models.DateTimeField(_("time"))
    resource = models.ForeignKey(
        SharedResource, on_delete=models.PROTECT, related_name="+", verbose_name=_("resource")
    )
    consumer = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("consumer")
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the log must read the same after an account or a case is gone.
    official_label = models.CharField(_("official"), max_length=200)
    case_id = models.UUIDField(_("case"), null=True, blank=True)
    case_label = models.CharField(_("case"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    subject_kind = models.CharField(_("subject kind"), max_length=10, choices=SubjectKind.choices)
    # Persons: identity's keyed ID-number hash (their own page finds them, the log holds no number);
    # companies: the credit code, which is public.
    subject_key = models.CharField(_("subject"), max_length=64, db_index=True)
    fields_asked = models.JSONField(_("fields asked"), default=list)
    fields_given = models.JSONField(_("fields given"), default=list)
    outcome = models.CharField(_("outcome"), max_length=12, choices=QueryOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    registry_reference = models.CharField(_("registry reference"), max_length=100, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return self.reference

    @property
    def field_labels(self) -> list[str]:
        """The asked fields by their names in the catalogue."""
        return self.resource.field_names(list(self.fields_asked))


class AccessLogHead(models.Model):
    """The one row writers lock to append to the access log (the chain's last position and hash)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head at {self.seq}"


class CheckOutcome(models.TextChoices):
    MATCH = "match", _("matches the registry")
    MISMATCH = "mismatch", _("does not match the registry")
    NOT_FOUND = "not_found", _("not in the registry")
    UNAVAILABLE = "unavailable", _("registry unavailable")


class FormCheck(BaseModel):
    """One answer of an application form checked against a registry at intake, shown to the window clerk."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("form field"), max_length=80)
    label = models.CharField(_("what was checked"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CheckOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    query_reference = models.CharField(_("query reference"), max_length=40, blank=True)

    class Meta:
        ordering = ["case", "field"]
        verbose_name = _("form check")
        verbose_name_plural = _("form checks")
        constraints = [models.UniqueConstraint(fields=["case", "field"], name="sharing_form_check_unique")]

    def __str__(self) -> str:
        return f"{self.field}: {self.outcome}"
