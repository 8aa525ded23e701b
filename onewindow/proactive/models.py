"""Proactive services 主动服务: what is due for a person, found from their licences and life events by the
rules in ``rules.json``, and each person's choice, per kind, to receive them in the site and by SMS."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class RecommendationKind(models.TextChoices):
    LICENCE_EXPIRY = "licence_expiry", _("licence expiry reminders")
    LIFE_EVENT = "life_event", _("life-event recommendations")


class Preference(BaseModel):
    """A person's choice for one kind: in-site on unless they opt out, SMS only when they opt in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=RecommendationKind.choices)
    in_site = models.BooleanField(_("show in my space"), default=True)
    sms = models.BooleanField(_("send an SMS"), default=False)

    class Meta:
        verbose_name = _("proactive service preference")
        verbose_name_plural = _("proactive service preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="proactive_pref_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class Recommendation(BaseModel):
    """One due event for one person (a licence expiring, a child reaching school age), with the service to
    apply for. Unique per person, rule, subject and date, so the daily job never creates or sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rule_key = models.CharField(_("rule"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=RecommendationKind.choices)
    # What the event is about: "licence:<id>" or "case:<id>" — never the child's or holder's identifiers.
    subject = models.CharField(max_length=60)
    due_on = models.DateField(_("due on"), db_index=True)
    title = models.CharField(_("title"), max_length=120)
    detail = models.CharField(_("detail"), max_length=300)
    item = models.ForeignKey(
        "catalogue.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bundle = models.ForeignKey(
        "catalogue.Bundle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sms_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "rule_key", "subject", "due_on"], name="proactive_recommendation_once"
            )
        ]
        indexes = [models.Index(fields=["user", "dismissed_at", "due_on"], name="proactive_rec_user_due")]

    def __str__(self) -> str:
        return self.title
