"""Identity: natural persons and their assurance level, companies and their authorised agents (经办人),
one-time codes, staff TOTP devices, signed-in sessions and every look at unmasked personal data.

ID numbers and phone numbers are stored encrypted (core.fields.EncryptedTextField) next to a keyed hash used
for exact look-up; neither column holds the plain value (domain reference §6, 个人信息保护法 art. 51).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField
from onewindow.core.masking import mask_citizen_id, mask_phone
from onewindow.core.models import BaseModel


class AssuranceLevel(models.IntegerChoices):
    """Identity assurance levels as most provinces use them (domain reference §6)."""

    L1 = 1, _("L1 phone registered")
    L2 = 2, _("L2 ID verified")
    L3 = 3, _("L3 face or bank card verified")
    L4 = 4, _("L4 verified in person")


class VerificationMethod(models.TextChoices):
    """How a person's identity was checked; each method reaches one assurance level."""

    PHONE = "phone", _("phone number confirmed by SMS code")
    REGISTRY = "registry", _("name and ID number checked against the population registry")
    FACE = "face", _("face verification")
    BANK_CARD = "bank_card", _("bank card verification")
    COUNTER = "counter", _("checked in person at a service window")


METHOD_LEVEL = {
    VerificationMethod.PHONE: AssuranceLevel.L1,
    VerificationMethod.REGISTRY: AssuranceLevel.L2,
    VerificationMethod.FACE: AssuranceLevel.L3,
    VerificationMethod.BANK_CARD: AssuranceLevel.L3,
    VerificationMethod.COUNTER: AssuranceLevel.L4,
}


class Person(BaseModel):
    """A natural person (自然人) who uses the platform: the citizen side of a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person", verbose_name=_("user")
    )
    id_number = EncryptedTextField(_("citizen ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    assurance_level = models.PositiveSmallIntegerField(
        _("assurance level"), choices=AssuranceLevel.choices, default=AssuranceLevel.L1
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    # The company this person currently acts for (经办人), checked against a live Agency on every request;
    # None when acting for themselves. Kept on the person so OIDC tokens can name it too.
    acting_for = models.ForeignKey(
        "Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The natural person this person currently acts for under a 委托代理 (行政许可法 art. 29), checked against
    # a live PersonAgency on every request; never set together with ``acting_for``.
    acting_for_person = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("natural person")
        verbose_name_plural = _("natural persons")

    def __str__(self) -> str:
        # Never the ID number or phone: str() ends up in audit labels and logs.
        return self.user.name or self.user.get_username()

    @property
    def id_number_masked(self) -> str:
        return mask_citizen_id(self.id_number) if self.id_number else ""

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class IdentityVerification(BaseModel):
    """One identity check of a person, successful or not, with the verifier's reference."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    level = models.PositiveSmallIntegerField(_("level reached"), choices=AssuranceLevel.choices)
    succeeded = models.BooleanField(_("succeeded"))
    verifier = models.CharField(_("verifier"), max_length=100)
    reference = models.CharField(_("verifier reference"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("window clerk"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")


class Company(BaseModel):
    """A legal person (法人) or other organisation, identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative_name = models.CharField(_("legal representative"), max_length=100)
    legal_representative = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_companies",
        verbose_name=_("legal representative's account"),
    )
    registry_reference = models.CharField(_("registry reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class AgencyScope(models.TextChoices):
    """What an agent may do for a company."""

    APPLY = "apply", _("apply for services and submit materials")
    TRACK = "track", _("track cases and receive notices")
    LICENCES = "licences", _("view and use the company's e-licences")
    MANAGE_AGENTS = "manage_agents", _("authorise other agents")


class Agency(BaseModel):
    """An authorisation (授权委托) for a person to act as the company's agent (经办人), within a scope and
    until an expiry. The legal representative grants it; revoking keeps the row for the record."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="agencies")
    agent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agencies")
    scopes = models.JSONField(_("scope"), default=list)
    expires_at = models.DateTimeField(_("valid until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("agent authorisation")
        verbose_name_plural = _("agent authorisations")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "agent"], condition=Q(revoked_at=None), name="one_live_agency_per_agent"
            )
        ]

    def is_active(self, at: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (at or timezone.now())

    def allows(self, scope: str) -> bool:
        return self.is_active() and scope in self.scopes


# What a natural person may let an agent do for them (no agents of agents: a 委托 is personal).
PERSON_AGENCY_SCOPES = (AgencyScope.APPLY, AgencyScope.TRACK, AgencyScope.LICENCES)


class PersonAgency(BaseModel):
    """A natural person's authorisation (委托代理, 行政许可法 art. 29) for another person to apply for them,
    within a scope and until an expiry. The principal grants and may revoke; the row stays for the record."""

    principal = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="agents_granted", verbose_name=_("principal")
    )
    agent = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="person_agencies", verbose_name=_("agent")
    )
    scopes = models.JSONField(_("scope"), default=list)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal authorisation")
        verbose_name_plural = _("personal authorisations")
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "agent"],
                condition=Q(revoked_at=None),
                name="one_live_person_agency_per_agent",
            ),
            models.CheckConstraint(condition=~Q(principal=models.F("agent")), name="person_agency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.principal}"

    def is_active(self, at: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (at or timezone.now())

    def allows(self, scope: str) -> bool:
        return self.is_active() and scope in self.scopes


class PersonAgencyUse(BaseModel):
    """One thing an agent did in the principal's name (also in the audit trail), shown to the principal."""

    agency = models.ForeignKey(PersonAgency, on_delete=models.CASCADE, related_name="uses")
    action = models.CharField(_("action"), max_length=60)
    description = models.CharField(_("what was done"), max_length=300)
    target_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("use of a personal authorisation")
        verbose_name_plural = _("uses of personal authorisations")


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("registration")
    LOGIN = "login", _("sign-in")
    PASSWORD_RESET = "password_reset", _("password reset")
    PHONE_CHANGE = "phone_change", _("phone number change")
    # A resident's consent to a grassroots point filing for them (帮办代办, onewindow.assist).
    ASSIST_CONSENT = "assist_consent", _("consent to assisted filing")


class SmsChallenge(BaseModel):
    """A one-time code sent by SMS. Only a keyed hash of the code and of the phone number is kept."""

    purpose = models.CharField(max_length=20, choices=SmsPurpose.choices)
    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")


class TotpDevice(BaseModel):
    """A staff member's authenticator app (RFC 6238, 30-second steps, 6 digits)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp")
    secret = EncryptedTextField(_("secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last time step accepted: a code is never accepted twice (RFC 6238 §5.2).
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")


class UserSession(BaseModel):
    """A signed-in browser, listed to its user, who may end it from elsewhere."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(_("sign-in method"), max_length=20)
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")


class PersonalDataView(BaseModel):
    """A staff member saw a person's unmasked identifier, with the reason they gave (also in the audit trail).
    The person sees these under "谁查看了我的信息"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="data_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewer_department = models.CharField(_("department"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=40)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")
