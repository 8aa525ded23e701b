"""The regional evaluation report 评估指标体系: the five national dimensions (成效度、成熟度、完备度、覆盖度、
准确度) for one region and month, each the mean of a few component rates computed from platform data. The
method is written in docs/evaluation.md and shown in the report itself (``DIMENSIONS``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.analytics.figures import Figure, Period, all_counts, figure_map
from onewindow.analytics.scope import REFUSED, analytics_scope, region_subtree_ids
from onewindow.cases.models import Case, CorrectionRequest
from onewindow.catalogue.models import Item, Material
from onewindow.core.errors import PermissionDenied
from onewindow.organisations.models import Department, Region
from onewindow.ratings.models import Rating


@dataclass(frozen=True)
class Component:
    name: Promise
    value: float | None
    numerator: float
    denominator: float


@dataclass(frozen=True)
class Dimension:
    code: str
    name: Promise
    method: Promise
    components: list[Component]

    @property
    def score(self) -> float | None:
        """0–100: the mean of the components that could be measured."""
        measured = [c.value for c in self.components if c.value is not None]
        return round(100 * sum(measured) / len(measured), 1) if measured else None


@dataclass(frozen=True)
class EvaluationReport:
    region: Region
    period: Period
    dimensions: list[Dimension]
    figures: dict[str, Figure]
    departments: int

    @property
    def overall(self) -> float | None:
        scores = [d.score for d in self.dimensions if d.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


def _component(name: Promise, numerator: float, denominator: float) -> Component:
    return Component(name, numerator / denominator if denominator else None, numerator, denominator)


def _from_figure(figure: Figure) -> Component:
    return Component(figure.measure.name, figure.value, figure.numerator, figure.denominator)


def evaluation_report(*, user: Any, region: Region, period: Period) -> EvaluationReport:
    """The five dimensions for the departments seated in ``region`` and below, over ``period``."""
    scope = analytics_scope(user=user)
    subtree = region_subtree_ids({region.pk})
    if scope.root_region_ids and not (region_subtree_ids(set(scope.root_region_ids)) & {region.pk}):
        raise PermissionDenied(REFUSED)
    departments = Department.objects.filter(region_id__in=subtree, is_active=True)
    if scope.department_ids is not None:
        departments = departments.filter(pk__in=scope.department_ids)
    items = Item.objects.filter(department__in=departments)
    published = items.filter(published_version__isnull=False)
    cases = Case.objects.filter(department__in=departments, bundle__isnull=True)
    ratings = Rating.objects.filter(department__in=departments)
    figures = figure_map(all_counts(items=items, cases=cases, ratings=ratings, period=period, key=None)[None])
    received = cases.filter(submitted_at__gte=period.since, submitted_at__lt=period.until)

    guide = published.aggregate(
        total=Count("pk"),
        with_faq=Count("pk", filter=~Q(published_version__faq=[])),
        with_form=Count("pk", filter=~Q(published_version__form_schema={})),
    )
    materials = Material.objects.filter(version_id__in=published.values("published_version_id")).aggregate(
        total=Count("pk"), with_help=Count("pk", filter=~Q(blank_form="") | ~Q(sample=""))
    )
    department_count = departments.count()
    with_items = departments.filter(pk__in=published.values("department_id")).count()
    items_used = published.filter(pk__in=received.values("item_id")).count()
    received_count = received.count()
    corrected = received.filter(
        pk__in=CorrectionRequest.objects.filter(case__in=received).values("case_id")
    ).count()
    returned = received.filter(work_tasks__action="return").distinct().count()

    dimensions = [
        Dimension(
            "effectiveness",
            _("Effectiveness (成效度)"),
            _(
                "How well cases are handled and how satisfied people are: mean of the on-time conclusion rate, "
                "the submission-free rate, the good rating rate and the bad rating rectification rate."
            ),
            [
                _from_figure(figures[code])
                for code in ("on_time_rate", "no_submission_rate", "good_rating_rate", "rectification_rate")
            ],
        ),
        Dimension(
            "maturity",
            _("Maturity (成熟度)"),
            _(
                "How far services went online: mean of the online availability rate, the fully online rate and "
                "the time-limit compression ratio."
            ),
            [
                _from_figure(figures["online_rate"]),
                _from_figure(figures["fully_online_rate"]),
                _from_figure(figures["compression_ratio"]),
            ],
        ),
        Dimension(
            "completeness",
            _("Completeness (完备度)"),
            _(
                "How complete the published guides are: mean of the share of items with answered FAQ, with an "
                "online application form, and of materials with a blank form or a filled sample."
            ),
            [
                _component(_("Items with FAQ"), guide["with_faq"], guide["total"]),
                _component(_("Items with an online form"), guide["with_form"], guide["total"]),
                _component(
                    _("Materials with a blank form or sample"), materials["with_help"], materials["total"]
                ),
            ],
        ),
        Dimension(
            "coverage",
            _("Coverage (覆盖度)"),
            _(
                "How much of government is on the platform: mean of the share of active departments with a "
                "published item and of published items that received a case in the period."
            ),
            [
                _component(_("Departments with published items"), with_items, department_count),
                _component(_("Items used in the period"), items_used, published.count()),
            ],
        ),
        Dimension(
            "accuracy",
            _("Accuracy (准确度)"),
            _(
                "How accurate guides and handling are: mean of the share of cases received in the period that "
                "needed no correction notice and that no step returned."
            ),
            [
                _component(_("Cases without correction"), received_count - corrected, received_count),
                _component(_("Cases without a returned step"), received_count - returned, received_count),
            ],
        ),
    ]
    return EvaluationReport(region, period, dimensions, figures, department_count)
