"""好差评 (国办发〔2019〕51号; domain reference §5): ratings of a case's handling or of a window visit, the
monthly counters the public statistics read, and the rectification loop of a bad rating (差评整改)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalogue.models import Item
from onewindow.core.models import BaseModel
from onewindow.halls.models import ServiceCentre
from onewindow.organisations.models import Department


class Level(models.IntegerChoices):
    """The national satisfaction code list: 4 and 5 are 差评."""

    VERY_SATISFIED = 1, _("very satisfied")  # 非常满意
    SATISFIED = 2, _("satisfied")  # 满意
    BASICALLY_SATISFIED = 3, _("basically satisfied")  # 基本满意
    DISSATISFIED = 4, _("dissatisfied")  # 不满意
    VERY_DISSATISFIED = 5, _("very dissatisfied")  # 非常不满意


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class Channel(models.TextChoices):
    WEB = "web", _("website")
    MOBILE = "mobile", _("mobile")
    QR = "qr", _("QR code")
    TABLET = "tablet", _("hall tablet")
    KIOSK = "kiosk", _("self-service kiosk")
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS reply")


# 51号 annex: what an online handling and a window visit are rated on, besides the overall level.
ONLINE_INDICATORS = {
    "efficiency": _("efficiency"),
    "guide_accuracy": _("accuracy of the service guide"),
    "convenience": _("convenience"),
    "usability": _("ease of use"),
}
OFFLINE_INDICATORS = {
    "efficiency": _("efficiency"),
    "service_level": _("service level"),
    "attitude": _("attitude"),
}


class Rating(BaseModel):
    """One rating: of a case's handling (one per case per handling, ``handled_at`` tells which) or of a visit
    to a window without a case (``centre`` + ``window_code``). ``level`` is the overall level."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("case")
    )
    # The end of the handling rated (conclusion, refusal, withdrawal): a case handled again is rated again.
    handled_at = models.DateTimeField(_("handling ended at"), null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("department")
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("item")
    )
    centre = models.ForeignKey(
        ServiceCentre,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("service centre"),
    )
    # The window's code as printed at the counter (the halls app owns windows; kept as text here).
    window_code = models.CharField(_("window"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("overall"), choices=Level.choices)
    online = models.BooleanField(_("online handling"), default=True)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Never shown publicly; revealed to the call-back roles only, each look-up audited.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_given",
        verbose_name=_("rater"),
    )
    rated_at = models.DateTimeField(_("rated at"))
    month = models.DateField(_("month"))  # the first day of the month rated in (counters and the report)
    # 申诉复核: a malicious or mistaken rating excluded by the supervisor stays on record, out of the figures.
    excluded = models.BooleanField(_("excluded"), default=False)
    excluded_reason = models.TextField(_("reason for exclusion"), blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "handled_at"], name="rating_once_per_handling"),
        ]
        indexes = [
            models.Index(fields=["month", "level", "-rated_at"], name="rating_month_level"),
            # The public list of a month's bad ratings, newest first, without reading the good ones.
            models.Index(
                fields=["month", "-rated_at"],
                condition=models.Q(level__gte=4, excluded=False),
                name="rating_bad_month",
            ),
            models.Index(fields=["department", "-rated_at"], name="rating_department"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.department}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RatingCounter(BaseModel):
    """Ratings of one month per department, item, channel and level — kept on every write so the public
    statistics never scan the ratings themselves. ``rectified_in_time`` counts the bad ones fixed by their
    deadline (差评整改率)."""

    month = models.DateField(_("month"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # department + item (or "-") + channel + level: one unique key, since NULL items are never equal in SQL.
    key = models.CharField(max_length=120)
    ratings = models.PositiveIntegerField(default=0)
    rectified_in_time = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "key"], name="rating_counter_unique")]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("waiting for the call-back")  # 待回访
    CALLED_BACK = "called_back", _("called back, being fixed")  # 整改中
    RESOLVED = "resolved", _("fixed, waiting for the re-rating")  # 待复评
    CLOSED = "closed", _("closed")  # 已办结
    APPEALED = "appealed", _("appeal under review")  # 申诉复核中
    EXCLUDED = "excluded", _("excluded on appeal")  # 申诉成立


class Outcome(models.TextChoices):
    FIXED_AT_ONCE = "fixed_at_once", _("fixed at once")  # 立行立改
    FIXED_BY_DEADLINE = "fixed_by_deadline", _("fixed by the deadline")  # 限期整改
    EXPLAINED = "explained", _("explained")  # 解释说明


class Rerate(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Rectification(BaseModel):
    """The work item a bad rating opens for the department that handled the case (谁办理谁负责)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("department")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    # Counted in working days on the legal calendar from the rating (ONEWINDOW_RATINGS_RECTIFY_WORKING_DAYS).
    due_on = models.DateField(_("due on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("what was done"), blank=True)
    resolved_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_time = models.BooleanField(_("fixed in time"), default=False)
    rerate = models.CharField(_("re-rating"), max_length=20, choices=Rerate.choices, blank=True)
    rerated_at = models.DateTimeField(_("re-rated at"), null=True, blank=True)
    # Overdue: the supervisors are told and e-supervision reads this.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    appeal_reason = models.TextField(_("grounds of the appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_status_before = models.CharField(max_length=20, blank=True)
    review_upheld = models.BooleanField(_("appeal upheld"), null=True, blank=True)
    review_reason = models.TextField(_("reason of the review"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["department", "status", "due_on"], name="rectification_queue")]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in {RectificationStatus.OPEN, RectificationStatus.CALLED_BACK}


class CallBack(BaseModel):
    """One call-back to the rater (回访): when, by whom, and what came of it."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="callbacks")
    called_at = models.DateTimeField(_("called at"))
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    caller_label = models.CharField(_("called by"), max_length=200)
    reached = models.BooleanField(_("reached the rater"), default=True)
    result = models.TextField(_("result of the call"))

    class Meta:
        ordering = ["called_at"]
