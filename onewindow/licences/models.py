"""The e-licence library (电子证照库): licence types, signing keys, the licences themselves with their lifecycle
(GB/T 36903 metadata, GB/T 36904 identifiers, national operation codes), share codes for showing a licence
(亮证), the department query log and the holders' consent to reuse.

Holder codes (citizen ID numbers, credit codes) are stored encrypted with a keyed look-up hash, like every
personal identifier on the platform.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.fields import EncryptedTextField
from onewindow.core.models import BaseModel

# The purpose bound into ``Licence.holder_code_hash`` (core.crypto.lookup_hash), shared by every holder look-up.
HOLDER_PURPOSE = "licences.holder_code"


class HolderType(models.TextChoices):
    """Holder code type (持证主体代码类型, GB/T 36903)."""

    CITIZEN_ID = "111", _("citizen ID number")
    CREDIT_CODE = "001", _("unified social credit code")


class LicenceStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("licence status", "valid")
    SUSPENDED = "suspended", pgettext_lazy("licence status", "suspended")
    REVOKED = "revoked", pgettext_lazy("licence status", "revoked")
    EXPIRED = "expired", pgettext_lazy("licence status", "expired")
    # Renewed or changed: a newer licence (pointing back at this one) replaces it.
    SUPERSEDED = "superseded", pgettext_lazy("licence status", "superseded")


class LicenceOperation(models.TextChoices):
    """National lifecycle operation codes for e-licences."""

    ISSUED = "01", pgettext_lazy("licence operation", "issued")
    RENEWED = "02", pgettext_lazy("licence operation", "renewed")
    SUSPENDED = "03", pgettext_lazy("licence operation", "suspended")
    EXPIRED = "04", pgettext_lazy("licence operation", "expired")
    REVOKED = "05", pgettext_lazy("licence operation", "cancelled or revoked")
    SUSPENSION_LIFTED = "06", pgettext_lazy("licence operation", "suspension lifted")
    CHANGED = "08", pgettext_lazy("licence operation", "changed")


class SignatureAlgorithm(models.TextChoices):
    SM2_SM3 = "sm2-sm3", _("SM2 with SM3")
    ED25519 = "ed25519", _("Ed25519")


class LicenceType(BaseModel):
    """A kind of licence a department issues (证照类型): the type code in its identifiers, the face fields
    printed on it and how long it is valid."""

    # [0-9A-Z] only: it enters the GB/T 36904 identifier and its MOD 37,36 check character.
    code = models.CharField(_("licence type code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    issuer = models.ForeignKey(
        "organisations.Department",
        on_delete=models.PROTECT,
        related_name="licence_types",
        verbose_name=_("issuing department"),
    )
    # [{"key": "business_scope", "label": "经营范围", "source": "form.business_scope"}, …]: the face template.
    face_fields = models.JSONField(_("face fields"), default=list, blank=True)
    # None: long-term (长期有效).
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), null=True, blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("remind holders this many days before expiry"), default=30
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self) -> str:
        return self.name


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("active (signs new licences)")
    RETIRED = "retired", _("retired (verifies earlier licences)")


class SigningKey(BaseModel):
    """A department's licence-signing key pair. The private key is stored encrypted; the public key is
    published so anyone can verify a licence offline. Retired keys keep verifying what they signed."""

    department = models.ForeignKey(
        "organisations.Department", on_delete=models.PROTECT, related_name="signing_keys"
    )
    algorithm = models.CharField(
        _("algorithm"), max_length=16, choices=SignatureAlgorithm.choices, default=SignatureAlgorithm.SM2_SM3
    )
    key_id = models.CharField(_("key ID"), max_length=64, unique=True)
    public_key = models.TextField(_("public key"))
    private_key = EncryptedTextField(_("private key"))
    status = models.CharField(_("status"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["department", "-created_at"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "algorithm"],
                condition=models.Q(status="active"),
                name="signing_key_one_active_per_department_and_algorithm",
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class Licence(BaseModel):
    """One e-licence (电子证照): GB/T 36903 metadata, its face fields and its signature."""

    identifier = models.CharField(_("licence identifier"), max_length=160, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="licences", verbose_name=_("licence type")
    )
    number = models.CharField(_("licence number"), max_length=64)
    serial = models.CharField(_("serial"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    issuer = models.ForeignKey(
        "organisations.Department",
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("issuing department"),
    )
    # What was printed and signed, as at issue: the type's and the issuer's rows may be renamed later, and a
    # renamed department must neither change the licences it issued nor break their signatures.
    type_code = models.CharField(_("licence type code"), max_length=40, editable=False)
    type_name = models.CharField(_("licence type name"), max_length=100, editable=False)
    issuer_name = models.CharField(_("issuing department (as issued)"), max_length=200, editable=False)
    issuer_code = models.CharField(_("issuer code"), max_length=18, editable=False)
    holder_type = models.CharField(_("holder code type"), max_length=3, choices=HolderType.choices)
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_code = EncryptedTextField(_("holder code"))
    holder_code_hash = models.CharField(max_length=64, db_index=True, editable=False)
    holder_person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="licences"
    )
    holder_company = models.ForeignKey(
        "identity.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="licences"
    )
    face = models.JSONField(_("face fields"), default=dict, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)  # None: long-term
    status = models.CharField(
        _("status"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.VALID, db_index=True
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="licences"
    )
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="licences")
    signature = models.TextField(_("signature"))
    signed_at = models.DateTimeField(_("signed at"))
    expiry_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_on", "-created_at"]
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "number"], name="licence_unique_number_per_type"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="licence_valid_until_after_from",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="licence_status_expiry"),
            # Verification by the printed number and the issuer (a paper copy without the identifier).
            models.Index(fields=["number", "issuer_code"], name="licence_number_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.type_name} {self.number}"


class LicenceEvent(BaseModel):
    """One lifecycle operation on a licence (national operation codes), the licence's own history."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    operation = models.CharField(_("operation"), max_length=2, choices=LicenceOperation.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("licence event")
        verbose_name_plural = _("licence events")


class LicenceShare(BaseModel):
    """A short-lived share code the holder gives someone to see one licence (亮证); only its hash is kept."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="shares")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share code")
        verbose_name_plural = _("share codes")


class LicenceAccess(BaseModel):
    """A department system's or clerk's look-up of a holder's licences, shown to the holder (用证记录)."""

    holder_code_hash = models.CharField(max_length=64, db_index=True)
    client_id = models.CharField(_("client"), max_length=100, blank=True)
    client_name = models.CharField(_("system"), max_length=200, blank=True)
    department = models.ForeignKey(
        "organisations.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    licences = models.ManyToManyField(Licence, blank=True, related_name="accesses")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("licence look-up")
        verbose_name_plural = _("licence look-ups")


class ReuseConsent(BaseModel):
    """The holder's consent that licences from the library are attached to their applications without asking
    each time (免提交). Withdrawn consent keeps its row for the record."""

    holder_code_hash = models.CharField(max_length=64, db_index=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(_("granted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("reuse consent")
        verbose_name_plural = _("reuse consents")
