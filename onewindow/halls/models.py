"""Service centres (政务服务中心) and the departments and items stationed in them (进驻).

「前台综合受理、后台分类审批、综合窗口出件」: a centre's comprehensive window (综合窗口), run by one department
(usually the 行政审批局 or the 政务服务管理局), accepts the applications of every item stationed there and hands
out the results; the handling department does the back office. Windows, appointments and queue tickets
(issue #16) hang off ``ServiceCentre`` later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class CentreKind(models.TextChoices):
    """The tiers of the national hall system (国办发〔2019〕51号 §4): centres, township centres, village stations."""

    SERVICE_CENTRE = "centre", _("government service centre")  # 政务服务中心（省、市、县）
    TOWNSHIP_CENTRE = "township", _("township service centre")  # 便民服务中心（乡镇、街道）
    VILLAGE_STATION = "village", _("village service station")  # 便民服务站（村、社区）


class ServiceCentre(BaseModel):
    """A service hall on the region tree, whose comprehensive window is run by ``window_department``."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CentreKind.choices, default=CentreKind.SERVICE_CENTRE
    )
    region = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        related_name="service_centres",
        verbose_name=_("region"),
    )
    # Staff holding the 综合窗口受理 role in this department work the centre's comprehensive window.
    window_department = models.ForeignKey(
        "organisations.Department",
        on_delete=models.PROTECT,
        related_name="run_centres",
        verbose_name=_("department running the comprehensive window"),
    )
    address = models.CharField(_("address"), max_length=300)
    opening_hours = models.CharField(_("opening hours"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class StationingMode(models.TextChoices):
    """How a stationed department takes applications in the centre."""

    COMPREHENSIVE = "comprehensive", _("comprehensive window acceptance")  # 综合窗口受理
    DEPARTMENT = "department", _("department window")  # 部门窗口


class Stationing(BaseModel):
    """A department stationed in a centre (进驻) since a date, taking applications in one mode."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="stationings", verbose_name=_("service centre")
    )
    department = models.ForeignKey(
        "organisations.Department",
        on_delete=models.PROTECT,
        related_name="stationings",
        verbose_name=_("department"),
    )
    stationed_on = models.DateField(_("stationed since"))
    mode = models.CharField(_("mode"), max_length=15, choices=StationingMode.choices)

    class Meta:
        ordering = ["centre__name", "department__name"]
        verbose_name = _("stationing")
        verbose_name_plural = _("stationings")
        constraints = [
            models.UniqueConstraint(fields=["centre", "department"], name="stationing_unique_department"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.department}"


class StationedItem(BaseModel):
    """One item of a stationed department that the centre takes (at its comprehensive window when the
    stationing's mode says so)."""

    stationing = models.ForeignKey(
        Stationing, on_delete=models.CASCADE, related_name="items", verbose_name=_("stationing")
    )
    item = models.ForeignKey(
        "catalogue.Item", on_delete=models.CASCADE, related_name="stationings", verbose_name=_("service item")
    )
    stationed_on = models.DateField(_("stationed since"))

    class Meta:
        ordering = ["stationing", "item__implementation_code"]
        verbose_name = _("stationed item")
        verbose_name_plural = _("stationed items")
        constraints = [
            models.UniqueConstraint(fields=["stationing", "item"], name="stationed_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.stationing} · {self.item}"


class WindowClerk(BaseModel):
    """A staff member of the running department who works the centre's comprehensive window (综合窗口受理):
    accepts and hands out the cases of every item stationed there, whichever department handles them."""

    centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.CASCADE,
        related_name="window_clerks",
        verbose_name=_("service centre"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comprehensive_windows",
        verbose_name=_("staff member"),
    )

    class Meta:
        ordering = ["centre__name", "user__name"]
        verbose_name = _("comprehensive window clerk")
        verbose_name_plural = _("comprehensive window clerks")
        constraints = [models.UniqueConstraint(fields=["centre", "user"], name="window_clerk_unique")]

    def __str__(self) -> str:
        return f"{self.centre} · {self.user}"


class OpeningPeriod(BaseModel):
    """One opening period of a centre on a weekday (a centre may close at noon: two periods). A holiday of the
    working-day calendar closes every centre; a weekend made a working day (调休) opens with Monday's hours."""

    centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.CASCADE,
        related_name="opening_periods",
        verbose_name=_("service centre"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("0 Monday … 6 Sunday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["centre", "weekday", "opens"]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_period_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opening_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.weekday} {self.opens:%H:%M}–{self.closes:%H:%M}"


class WindowKind(models.TextChoices):
    """A window takes every stationed item (综合窗口) or one department's items (部门窗口)."""

    COMPREHENSIVE = "comprehensive", _("comprehensive window")
    DEPARTMENT = "department", _("department window")


class Window(BaseModel):
    """A counter in the hall (窗口), numbered as its sign says, serving a set of items."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="windows", verbose_name=_("service centre")
    )
    number = models.CharField(_("window number"), max_length=10)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=WindowKind.choices)
    # A department window belongs to the stationed department that staffs it; a comprehensive window to none.
    department = models.ForeignKey(
        "organisations.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hall_windows",
        verbose_name=_("department"),
    )
    items = models.ManyToManyField(
        "catalogue.Item", blank=True, related_name="hall_windows", verbose_name=_("items served")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["centre__name", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.label}"


class WindowDuty(BaseModel):
    """A staff member on duty at a window on a day (排班): who may call tickets to it."""

    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="duties", verbose_name=_("window")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="window_duties",
        verbose_name=_("staff member"),
    )
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["day", "window__number"]
        verbose_name = _("window duty")
        verbose_name_plural = _("window duties")
        constraints = [models.UniqueConstraint(fields=["window", "user", "day"], name="window_duty_unique")]

    def __str__(self) -> str:
        return f"{self.window} · {self.user} · {self.day}"
