"""我要问 (consultation) and 投诉建议 (complaints and suggestions), kept apart: a question is answered by the
department that owns the item, a complaint is routed to the department and to supervision (监察)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import Item
from onewindow.core.fields import EncryptedTextField
from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department

BODY_MAX = 2000


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("awaiting answer")
    ANSWERED = "answered", _("answered")


class FaqStatus(models.TextChoices):
    PRIVATE = "private", _("private")
    PENDING = "pending", _("awaiting review for the FAQ")
    PUBLISHED = "published", _("published in the FAQ")
    REJECTED = "rejected", _("not published")


class AnswerRating(models.IntegerChoices):
    SATISFIED = 1, _("satisfied")
    FAIRLY_SATISFIED = 2, _("fairly satisfied")
    UNSATISFIED = 3, _("unsatisfied")


class Question(BaseModel):
    """A citizen's question on an item or a department, answered by that department within the deadline."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions", verbose_name=_("asker")
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("service"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="questions", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("question"), max_length=BODY_MAX)
    allow_public = models.BooleanField(_("may be published in the FAQ"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    asked_at = models.DateTimeField(_("asked at"), db_index=True)
    due_on = models.DateField(_("answer due on"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_public = models.BooleanField(_("answer proposed for the FAQ"), default=False)
    faq_status = models.CharField(
        _("FAQ"), max_length=10, choices=FaqStatus.choices, default=FaqStatus.PRIVATE
    )
    faq_question = models.CharField(_("FAQ wording of the question"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("asker's rating"), choices=AnswerRating.choices, null=True, blank=True
    )
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            models.Index(fields=["department", "status", "due_on"]),
            models.Index(fields=["item", "faq_status"]),
            # E-supervision looks for open questions by due date only (onewindow.supervision.scan).
            models.Index(
                fields=["due_on"], name="question_open_due_on", condition=models.Q(status=QuestionStatus.OPEN)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def can_answer(self) -> bool:
        return self.status == QuestionStatus.OPEN

    def can_rate(self) -> bool:
        return self.status == QuestionStatus.ANSWERED and self.rating is None


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    SUGGESTION = "suggestion", _("suggestion")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    CONCLUDED = "concluded", _("concluded")


class ComplaintOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("substantiated, corrected")
    PARTLY = "partly", _("partly substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("not substantiated, explained")
    ADOPTED = "adopted", _("suggestion adopted")
    NOTED = "noted", _("suggestion noted for later")


class Complaint(BaseModel):
    """A complaint or suggestion about a department (and optionally an item). Anonymous: no account and no
    identity stored, only the contact the complainant chose to give, encrypted and shown to handlers only."""

    kind = models.CharField(_("kind"), max_length=10, choices=ComplaintKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("department")
    )
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("content"), max_length=BODY_MAX)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    contact = EncryptedTextField(_("contact"), blank=True)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    due_on = models.DateField(_("due on"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ComplaintOutcome.choices, blank=True)
    outcome_text = models.TextField(_("outcome explanation"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=False) | models.Q(submitter__isnull=True),
                name="consult_anonymous_no_submitter",
            )
        ]

    def __str__(self) -> str:
        return self.reference
