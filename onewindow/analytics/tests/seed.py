"""Known data for the measures tests: items with chosen guide fields and cases written as rows (their
history does not matter to the figures, only the columns the measures read)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from onewindow.cases.models import Case, CaseMaterial, CaseStatus, TrustLevel
from onewindow.catalogue.models import CaseType, HandlingForm, Item
from onewindow.catalogue.tests.factories import material, published_item
from onewindow.workdays.models import Deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


def items_seed(department_a: Any, department_b: Any) -> dict[str, Item]:
    """Four items in A (online / window with a visit / immediate / online with a longer promise), one in B."""
    mats = [material("id-card"), material("application-form")]
    return {
        "online": published_item(department=department_a, name="食品经营许可", materials=mats),
        "window": published_item(
            department=department_a,
            name="户外广告设置许可",
            materials=mats,
            handling_forms=[HandlingForm.WINDOW, HandlingForm.POST],
            onsite_visits=1,
            onsite_reason="需现场核验原件",
            online_depth=["1"],
            promised_days=10,
            statutory_days=20,
        ),
        "immediate": published_item(
            department=department_a,
            name="个体工商户名称变更登记",
            materials=mats,
            case_type=CaseType.IMMEDIATE,
            promised_days=0,
            statutory_days=15,
        ),
        "other": published_item(
            department=department_b, name="医疗机构执业登记", materials=mats, promised_days=12
        ),
    }


def case_row(
    *,
    item: Item,
    applicant: Any,
    submitted: str,
    accepted: str | None = None,
    concluded: str | None = None,
    due: str | None = None,
    status: str | None = None,
    trust: tuple[str, ...] = (),
    concluded_hour: int = 10,
) -> Case:
    deadline = None
    if due:
        deadline = Deadline.objects.create(
            label="承诺办结",
            start_on=dt.date.fromisoformat(accepted or submitted),
            working_days=5,
            due_on=dt.date.fromisoformat(due),
        )
    case = Case.objects.create(
        applicant=applicant,
        item=item,
        item_version=item.published_version,
        department=item.department,
        status=status or (CaseStatus.CONCLUDED if concluded else CaseStatus.IN_PROCESS),
        submitted_at=moment(submitted),
        accepted_at=moment(accepted) if accepted else None,
        concluded_at=moment(concluded, concluded_hour) if concluded else None,
        deadline=deadline,
    )
    assert item.published_version is not None
    materials = list(item.published_version.materials.all())
    for index, level in enumerate(trust):
        CaseMaterial.objects.create(
            case=case,
            material=materials[index % len(materials)],
            trust_level=level,
            original_name=f"{index}.pdf",
        )
    return case


def cases_seed(items: dict[str, Item], applicant: Any) -> list[Case]:
    """Cases in November 2026 (the period), plus a few outside it that no period figure may count."""
    A, C = TrustLevel.A, TrustLevel.C
    online, window, immediate, other = items["online"], items["window"], items["immediate"], items["other"]
    return [
        # on time, concluded the day it was due (late evening: the local date still counts)
        case_row(
            item=online,
            applicant=applicant,
            submitted="2026-11-02",
            accepted="2026-11-02",
            concluded="2026-11-06",
            due="2026-11-06",
            trust=(A, C, A),
            concluded_hour=23,
        ),
        # late by one day
        case_row(
            item=online,
            applicant=applicant,
            submitted="2026-11-03",
            accepted="2026-11-03",
            concluded="2026-11-11",
            due="2026-11-10",
            trust=(C, C),
        ),
        # on time, a holiday-free week across a weekend
        case_row(
            item=window,
            applicant=applicant,
            submitted="2026-11-05",
            accepted="2026-11-05",
            concluded="2026-11-12",
            due="2026-11-19",
            trust=(A,),
        ),
        # immediate: accepted and concluded the same day
        case_row(
            item=immediate,
            applicant=applicant,
            submitted="2026-11-09",
            accepted="2026-11-09",
            concluded="2026-11-09",
            due="2026-11-09",
            trust=(C, A),
        ),
        # open and overdue (today is pinned to 2026-12-01)
        case_row(
            item=window,
            applicant=applicant,
            submitted="2026-11-10",
            accepted="2026-11-10",
            due="2026-11-24",
            trust=(C,),
        ),
        # open, not yet due
        case_row(
            item=other, applicant=applicant, submitted="2026-11-20", accepted="2026-11-20", due="2026-12-08"
        ),
        # department B, concluded late
        case_row(
            item=other,
            applicant=applicant,
            submitted="2026-11-02",
            accepted="2026-11-02",
            concluded="2026-11-27",
            due="2026-11-18",
            trust=(A, A),
        ),
        # outside the period: received and concluded in October
        case_row(
            item=online,
            applicant=applicant,
            submitted="2026-10-08",
            accepted="2026-10-08",
            concluded="2026-10-20",
            due="2026-10-14",
            trust=(A, A, A),
        ),
        # received in November, still waiting for pre-review
        case_row(
            item=online, applicant=applicant, submitted="2026-11-25", status=CaseStatus.SUBMITTED, trust=(C,)
        ),
    ]


def ratings_seed(cases: list[Case]) -> None:
    """Seven ratings: five in November (levels 1, 2, 4, 5, 3; the 4 fixed in time, the 5 late), one excluded on
    appeal, one in October."""
    from onewindow.ratings.models import Channel, Rating, Rectification, RectificationStatus

    def rate(case: Case, level: int, day: str, *, excluded: bool = False, fixed: bool | None = None) -> None:
        rating = Rating.objects.create(
            case=case,
            department=case.department,
            item=case.item,
            channel=Channel.WEB,
            level=level,
            rated_at=moment(day),
            month=dt.date.fromisoformat(day).replace(day=1),
            excluded=excluded,
        )
        if fixed is not None:
            Rectification.objects.create(
                rating=rating,
                department=case.department,
                status=RectificationStatus.CLOSED,
                due_on=dt.date.fromisoformat(day) + dt.timedelta(days=21),
                in_time=fixed,
            )

    rate(cases[0], 1, "2026-11-07")
    rate(cases[1], 2, "2026-11-12")
    rate(cases[2], 4, "2026-11-13", fixed=True)
    rate(cases[3], 5, "2026-11-10", fixed=False)
    rate(cases[6], 3, "2026-11-28")
    rate(cases[6], 5, "2026-11-29", excluded=True, fixed=False)
    rate(cases[7], 5, "2026-10-21", fixed=False)
