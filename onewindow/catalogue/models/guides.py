"""Items and their versioned guides (办事指南): the national code lists, themes, basic items, items, guide
versions and their materials (GB/T 39046-2020, domain reference §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel
from onewindow.identity.models import AssuranceLevel
from onewindow.organisations.models import Department, ExerciseLevel, Region


class ItemType(models.TextChoices):
    """事项类型, national code list."""

    LICENSING = "01", _("administrative licensing")  # 行政许可
    PENALTY = "02", _("administrative penalty")  # 行政处罚
    COERCION = "03", _("administrative coercion")  # 行政强制
    LEVY = "04", _("administrative levy")  # 行政征收
    BENEFIT = "05", _("administrative benefit payment")  # 行政给付
    INSPECTION = "06", _("administrative inspection")  # 行政检查
    CONFIRMATION = "07", _("administrative confirmation")  # 行政确认
    REWARD = "08", _("administrative reward")  # 行政奖励
    RULING = "09", _("administrative ruling")  # 行政裁决
    OTHER_POWER = "10", _("other administrative power")  # 其他行政权力
    PUBLIC_SERVICE = "20", _("public service")  # 公共服务

    @classmethod
    def powers(cls) -> list[str]:
        """The types that make up the power list (权力清单): everything but public services."""
        return [t.value for t in cls if t != cls.PUBLIC_SERVICE]


class CaseType(models.IntegerChoices):
    """办件类型."""

    IMMEDIATE = 1, _("immediate (concluded on the spot)")  # 即办件
    PROMISED = 2, _("promised (concluded by a promised deadline)")  # 承诺件
    OTHER = 9, _("other")


class ServiceObject(models.TextChoices):
    NATURAL_PERSON = "1", _("natural person")
    ENTERPRISE = "2", _("enterprise legal person")
    PUBLIC_INSTITUTION = "3", _("public institution legal person")
    SOCIAL_ORGANISATION = "4", _("social organisation legal person")
    GOVERNMENT = "5", _("administrative body")
    OTHER = "6", _("other organisation")


class HandlingForm(models.TextChoices):
    WINDOW = "1", _("at the window")
    ONLINE_PC = "2", _("online (computer)")
    ONLINE_MOBILE = "3", _("online (mobile)")
    POST = "4", _("by post")
    OTHER = "9", _("other")


class OnlineDepth(models.TextChoices):
    """网上办理深度 (multi-valued)."""

    CONSULTATION = "1", _("online consultation")
    RECEIPT = "2", _("online receipt")
    PRE_REVIEW = "3", _("online pre-review")
    ACCEPTANCE = "4", _("online acceptance")
    HANDLING = "5", _("online handling")
    RESULT_FEEDBACK = "6", _("result feedback online")
    LICENCE_FEEDBACK = "7", _("e-licence feedback")


class ResultType(models.TextChoices):
    CERTIFICATE = "证", _("certificate or licence")
    DOCUMENT = "文", _("document")
    REPLY = "批复", _("official reply")
    OTHER = "其他", _("other")


class CrossRegionScope(models.TextChoices):
    """通办范围."""

    NONE = "none", _("only at the implementing body")
    CITY = "city", _("anywhere in the city")
    PROVINCE = "province", _("anywhere in the province")
    NATIONAL = "national", _("anywhere in the country (跨省通办)")


class Audience(models.TextChoices):
    PERSON = "person", _("natural persons")  # 自然人
    COMPANY = "company", _("legal persons")  # 法人


class Theme(BaseModel):
    """A browsing theme (自然人主题 / 法人主题), e.g. 生育收养, 设立变更."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=50)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["audience", "order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return f"{self.get_audience_display()} · {self.name}"


class BasicItem(BaseModel):
    """A basic catalogue entry (基本目录): the national or provincial definition an implementation follows."""

    basic_code = models.CharField(_("basic code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)

    class Meta:
        ordering = ["basic_code"]
        verbose_name = _("basic catalogue entry")
        verbose_name_plural = _("basic catalogue entries")

    def __str__(self) -> str:
        return f"{self.name}（{self.basic_code}）"


class Item(BaseModel):
    """An implementation entry (实施清单): one body's implementation of a basic entry in one region.

    The guide lives in versions; ``published_version`` is what citizens see and what new cases are filed
    under. The identity (implementation code) never changes.
    """

    implementation_code = models.CharField(_("implementation code"), max_length=31, unique=True)
    basic = models.ForeignKey(
        BasicItem, on_delete=models.PROTECT, related_name="items", verbose_name=_("basic entry")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name=_("implementing body")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="items", verbose_name=_("region")
    )
    published_version = models.OneToOneField(
        "ItemVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published version"),
    )
    # How often people apply: ranks search results and the portal's "high-frequency" lists.
    popularity = models.PositiveIntegerField(_("popularity"), default=0)

    class Meta:
        ordering = ["implementation_code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.published_version.name if self.published_version else self.basic.name}（{self.implementation_code}）"

    @property
    def handling_code(self) -> str:
        """The handling-item code (办理项编码) of the item's single handling item: implementation code + 01."""
        return f"{self.implementation_code}01"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("superseded")
    REJECTED = "rejected", _("sent back")


class ItemVersion(BaseModel):
    """One version of an item's guide. Once published it never changes: a change is a new version, and each
    case keeps the version it was filed under."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions", verbose_name=_("item"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)

    # --- identity and legal frame
    name = models.CharField(_("item name"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    level = models.PositiveSmallIntegerField(_("exercise level"), choices=ExerciseLevel.choices)
    legal_basis = models.TextField(_("legal basis"))
    acceptance_conditions = models.TextField(_("acceptance conditions"))
    process_description = models.TextField(_("process"), blank=True)
    joint_departments = models.ManyToManyField(
        Department, blank=True, related_name="joint_item_versions", verbose_name=_("joint bodies")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="item_versions", verbose_name=_("themes"))
    keywords = models.CharField(
        _("search keywords"),
        max_length=500,
        blank=True,
        help_text=_("words people use for this item, separated by spaces"),
    )

    # --- time limits (working days)
    statutory_days = models.PositiveIntegerField(_("statutory time limit (working days)"))
    statutory_note = models.CharField(_("statutory limit note"), max_length=300, blank=True)
    promised_days = models.PositiveIntegerField(_("promised time limit (working days)"))
    promised_note = models.CharField(_("promised limit note"), max_length=300, blank=True)
    case_type = models.PositiveSmallIntegerField(_("case type"), choices=CaseType.choices)

    # --- fees
    charges_fee = models.BooleanField(_("charges a fee"), default=False)
    fee_items = models.JSONField(
        _("fee items"), default=list, blank=True, help_text=_("[{name, standard, basis, waivable}]")
    )
    fee_basis = models.TextField(_("fee basis"), blank=True)

    # --- how to apply
    service_objects = models.JSONField(_("service objects"), default=list)
    handling_forms = models.JSONField(_("handling forms"), default=list)
    supports_booking = models.BooleanField(_("booking"), default=False)
    supports_online_payment = models.BooleanField(_("online payment"), default=False)
    supports_postal_delivery = models.BooleanField(_("postal delivery"), default=False)
    supports_kiosk = models.BooleanField(_("self-service kiosk"), default=False)
    onsite_visits = models.PositiveSmallIntegerField(_("on-site visits required"), default=0)
    onsite_reason = models.CharField(_("reason for on-site visits"), max_length=300, blank=True)
    online_depth = models.JSONField(_("online depth"), default=list, blank=True)
    min_assurance_level = models.PositiveSmallIntegerField(
        _("minimum identity assurance level to apply online"),
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.L2,
    )
    cross_region_scope = models.CharField(
        _("cross-region scope"),
        max_length=10,
        choices=CrossRegionScope.choices,
        default=CrossRegionScope.NONE,
    )

    # --- result
    result_name = models.CharField(_("result name"), max_length=200)
    result_type = models.CharField(_("result type"), max_length=4, choices=ResultType.choices)
    result_sample = models.FileField(_("result sample"), upload_to="catalogue/samples/", blank=True)
    licence_type_code = models.CharField(_("e-licence type code"), max_length=40, blank=True)

    # --- where and whom to ask
    address = models.CharField(_("address"), max_length=300)
    office_hours = models.CharField(_("office hours"), max_length=300)
    consultation_phone = models.CharField(_("consultation phone"), max_length=50)
    complaint_phone = models.CharField(_("complaint phone"), max_length=50)
    faq = models.JSONField(_("frequently asked questions"), default=list, blank=True, help_text=_("[{q, a}]"))

    # --- the application form: a JSON Schema plus UI hints (field order, widgets, help) for the portal
    form_schema = models.JSONField(_("application form (JSON Schema)"), default=dict, blank=True)
    form_ui = models.JSONField(_("application form UI hints"), default=dict, blank=True)

    # --- workflow of the version itself
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_opinion = models.CharField(_("review opinion"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("statutory_days")),
                name="item_version_promised_within_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}（{self.get_status_display()}）"

    def is_editable(self) -> bool:
        return self.status in {VersionStatus.DRAFT, VersionStatus.REJECTED}

    @property
    def is_online(self) -> bool:
        """Citizens can apply on the web or phone (网上可办)."""
        return bool({HandlingForm.ONLINE_PC, HandlingForm.ONLINE_MOBILE} & set(self.handling_forms))

    @property
    def is_fully_online(self) -> bool:
        """全程网办: no visit at all."""
        return self.is_online and self.onsite_visits == 0


class Necessity(models.TextChoices):
    REQUIRED = "required", _("required")
    CONDITIONAL = "conditional", _("required if a condition holds")
    OPTIONAL = "optional", _("optional")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("paper")
    ELECTRONIC = "electronic", _("electronic")
    BOTH = "both", _("paper and electronic")


class MaterialSource(models.TextChoices):
    """Where the material comes from. If the platform can get it itself, the applicant must not be asked
    for it (国务院令716 art. 7)."""

    APPLICANT = "applicant", _("the applicant")
    ISSUER = "issuer", _("the issuing agency")
    ELICENCE = "elicence", _("the e-licence library")
    SHARED = "shared", _("shared data")


class Material(BaseModel):
    """A material (申请材料) an item version requires."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Same key = same document across items: a life-event bundle asks for it once.
    key = models.SlugField(
        _("material key"), max_length=80, help_text=_("e.g. id-card; equal keys merge in bundles")
    )
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    acceptance_standard = models.CharField(_("acceptance standard"), max_length=500, blank=True)
    necessity = models.CharField(
        _("necessity"), max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED
    )
    condition = models.CharField(_("condition"), max_length=300, blank=True)
    form = models.CharField(_("form"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.BOTH)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    paper_size = models.CharField(_("paper size"), max_length=10, blank=True, default="A4")
    blank_form = models.FileField(_("blank form"), upload_to="catalogue/forms/", blank=True)
    sample = models.FileField(_("filled sample"), upload_to="catalogue/samples/", blank=True)
    filling_notes = models.TextField(_("filling notes"), blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    licence_type_code = models.CharField(_("e-licence type code"), max_length=40, blank=True)
    # 证明事项告知承诺制 (国办发〔2020〕42号): where the catalogue allows it, the applicant may sign this pledge
    # instead of providing the material; the department checks it afterwards.
    pledge_allowed = models.BooleanField(_("may be replaced by a signed pledge"), default=False)
    pledge_text = models.TextField(
        _("pledge text"), blank=True, help_text=_("what the applicant promises, shown in full before signing")
    )
    # 申请书 and the like: the platform prints it from the online form, so it is never asked as an upload.
    generated_online = models.BooleanField(
        _("generated online from the application form"),
        default=False,
        help_text=_("online applications get it as a PDF made from the form; windows print it for signing"),
    )

    class Meta:
        ordering = ["version", "order", "name"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="material_unique_key_per_version")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def obtained_by_platform(self) -> bool:
        """The platform fetches it: the applicant is not asked for it."""
        return self.source in {MaterialSource.ELICENCE, MaterialSource.SHARED, MaterialSource.ISSUER}

    @property
    def asked_as_upload(self) -> bool:
        """The applicant uploads it online: neither fetched by the platform nor generated from the form."""
        return not self.obtained_by_platform and not self.generated_online
