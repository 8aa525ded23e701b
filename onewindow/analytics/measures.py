"""The one registry of measures (domain README §7): each figure on the dashboard, in the exports and in the
evaluation report is looked up here, and the definitions page is generated from it, so a figure and its
written definition cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measure:
    code: str
    name: Promise
    formula: Promise
    sources: str  # the model fields the figure is computed from
    unit: str  # "percent", "days", "count", "number"
    population: str  # "items" (published guides), "cases" or "ratings" of the departments in scope


MEASURES: tuple[Measure, ...] = (
    Measure(
        "online_rate",
        _("Online availability rate"),
        _(
            "Published items whose handling forms include online handling (computer or mobile) ÷ all published items."
        ),
        "catalogue.ItemVersion.handling_forms ∋ 2|3; Item.published_version",
        "percent",
        "items",
    ),
    Measure(
        "fully_online_rate",
        _("Fully online rate"),
        _("Published items needing 0 on-site visits ÷ all published items."),
        "catalogue.ItemVersion.onsite_visits = 0",
        "percent",
        "items",
    ),
    Measure(
        "immediate_share",
        _("Share of immediate items"),
        _("Published items of case type 即办件 (1) ÷ all published items."),
        "catalogue.ItemVersion.case_type = 1",
        "percent",
        "items",
    ),
    Measure(
        "compression_ratio",
        _("Time-limit compression ratio"),
        _("1 − Σ promised time limits ÷ Σ statutory time limits over the published items."),
        "catalogue.ItemVersion.promised_days, statutory_days",
        "percent",
        "items",
    ),
    Measure(
        "on_time_rate",
        _("On-time conclusion rate"),
        _(
            "Cases concluded in the period on or before their promised due date (local date, extensions and "
            "special procedures included) ÷ cases concluded in the period that had a due date."
        ),
        "cases.Case.concluded_at, workdays.Deadline.due_on",
        "percent",
        "cases",
    ),
    Measure(
        "average_working_days",
        _("Average working days"),
        _(
            "Mean number of working days (official calendar) from acceptance to conclusion over the cases "
            "concluded in the period."
        ),
        "cases.Case.accepted_at, concluded_at; workdays.CalendarDay",
        "days",
        "cases",
    ),
    Measure(
        "average_visits",
        _("Average on-site visits"),
        _(
            "Mean on-site visits per case concluded in the period: the visits its guide version requires "
            "(到办事现场次数)."
        ),
        "cases.Case.item_version → catalogue.ItemVersion.onsite_visits",
        "number",
        "cases",
    ),
    Measure(
        "good_rating_rate",
        _("Good rating rate"),
        _("Ratings 1–3 (非常满意、满意、基本满意) given in the period ÷ all ratings given in the period."),
        "ratings.Rating.level, rated_at (excluded on appeal left out)",
        "percent",
        "ratings",
    ),
    Measure(
        "rectification_rate",
        _("Bad rating rectification rate"),
        _("Bad ratings (4–5) given in the period whose rectification was done in time ÷ those bad ratings."),
        "ratings.Rating.level, ratings.Rectification.in_time",
        "percent",
        "ratings",
    ),
    Measure(
        "no_submission_rate",
        _("Submission-free rate"),
        _(
            "Materials of the cases received in the period that the platform obtained itself (trust level A: "
            "e-licence library or shared data) ÷ all their materials."
        ),
        "cases.CaseMaterial.trust_level = A",
        "percent",
        "cases",
    ),
    Measure(
        "received",
        _("Cases received"),
        _("Cases received (submitted) in the period."),
        "cases.Case.submitted_at",
        "count",
        "cases",
    ),
    Measure(
        "concluded",
        _("Cases concluded"),
        _("Cases concluded in the period."),
        "cases.Case.concluded_at",
        "count",
        "cases",
    ),
    Measure(
        "backlog",
        _("Backlog"),
        _("Cases accepted and not yet concluded (accepted, in process or suspended) now."),
        "cases.Case.status",
        "count",
        "cases",
    ),
    Measure(
        "overdue_backlog",
        _("Overdue backlog"),
        _("Backlog cases whose due date is before today."),
        "cases.Case.status, workdays.Deadline.due_on",
        "count",
        "cases",
    ),
)

BY_CODE = {measure.code: measure for measure in MEASURES}
