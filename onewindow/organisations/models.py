"""Regions, departments (implementing bodies) and the roles staff hold in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class RegionLevel(models.IntegerChoices):
    """Administrative levels of the division tree; the value is the length of the code's significant prefix."""

    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("county / district")
    TOWNSHIP = 4, _("township / subdistrict")
    VILLAGE = 5, _("village / community")


# How many leading digits a region of each level owns: its children's codes must start with them.
REGION_PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
REGION_CODE_LENGTH = {
    RegionLevel.PROVINCE: 6,
    RegionLevel.CITY: 6,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(BaseModel):
    """A node of the administrative division tree (省 / 市 / 区县 / 乡镇街道 / 村社区)."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ExerciseLevel(models.IntegerChoices):
    """行使层级, national code list."""

    NATIONAL = 1, _("national")
    PROVINCIAL = 2, _("provincial")
    MUNICIPAL = 3, _("municipal")
    COUNTY = 4, _("county")
    TOWNSHIP = 5, _("township")
    VILLAGE = 6, _("village")
    TIERED = 7, _("tiered")


class BodyNature(models.IntegerChoices):
    """Implementing body nature, national code list."""

    STATUTORY = 1, _("statutory authority")
    AUTHORISED = 2, _("authorised organisation")
    ENTRUSTED = 3, _("entrusted organisation")
    OTHER = 9, _("other")


class Department(BaseModel):
    """A department: the implementing body (实施主体) of service items in one region."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    # Set when a person confirmed a code that fails the GB 32100 checksum (some registered codes do).
    credit_code_override_reason = models.CharField(_("checksum override reason"), max_length=300, blank=True)
    credit_code_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checksum override by"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    level = models.PositiveSmallIntegerField(_("exercise level"), choices=ExerciseLevel.choices)
    nature = models.PositiveSmallIntegerField(
        _("nature"), choices=BodyNature.choices, default=BodyNature.STATUTORY
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a staff member may do in a department."""

    WINDOW_CLERK = "window_clerk", _("window clerk")
    REVIEWER = "reviewer", _("reviewer")
    APPROVER = "approver", _("approver")
    # 行政机关负责人: approves extensions of the time limit (行政许可法 art. 42).
    HEAD = "head", _("head of the agency")
    DEPARTMENT_ADMIN = "department_admin", _("department administrator")
    SUPERVISOR = "supervisor", _("supervisor")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


class Membership(BaseModel):
    """One role a staff member holds in one department. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("staff member"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["department__name", "role"]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"
