"""Demo open data: the portal's datasets (``opendata.json``), all but one approved by a recorded
confidentiality review of the platform administrator, so that the staff page shows one still waiting; and
for proactive services a birth certificate for a demo citizen whose child turns six within the enrolment
window, then one run of the daily recommendation job. Everything goes through the apps' services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model

from onewindow.core import clock
from onewindow.identity.services.people import person_by_identifier
from onewindow.licences.models import Licence, LicenceType
from onewindow.licences.services import licence_issue
from onewindow.opendata import services as opendata
from onewindow.opendata.models import Dataset
from onewindow.organisations.models import Department
from onewindow.proactive.services import recommendations_generate

DATA_FILE = Path(__file__).with_name("opendata.json")
REVIEWER = "admin"
BIRTH_CERTIFICATE = "11100000MB0160218X001"
PARENT_PHONE = "13900000002"
# The child turns six 75 days from the day the demo is loaded: inside the 180-day enrolment window.
CHILD_TURNS_SIX_IN_DAYS = 75


def _birth_certificate() -> int:
    parent = person_by_identifier(PARENT_PHONE)
    kind = LicenceType.objects.filter(code=BIRTH_CERTIFICATE).first()
    if (
        parent is None
        or kind is None
        or Licence.objects.filter(licence_type=kind, holder_person=parent).exists()
    ):
        return 0
    birthday = clock.today() + dt.timedelta(days=CHILD_TURNS_SIX_IN_DAYS)
    born = birthday.replace(year=birthday.year - 6) if (birthday.month, birthday.day) != (2, 29) else birthday
    face = {"baby_name": "张一诺", "birth_date": born.isoformat(), "hospital": "福建省妇幼保健院"}
    fields = {field["key"] for field in kind.face_fields}
    licence_issue(
        licence_type=kind,
        holder_person=parent,
        face={key: value for key, value in face.items() if key in fields},
        actor=None,
        valid_from=born + dt.timedelta(days=3),
    )
    return 1


def opendata_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create whatever part of the open-data and proactive demo is missing."""
    created = {"datasets": 0, "licences": 0, "recommendations": 0}
    reviewer = get_user_model().objects.filter(username=REVIEWER).first()
    for spec in json.loads(DATA_FILE.read_text(encoding="utf-8"))["datasets"]:
        if Dataset.objects.filter(slug=spec["slug"]).exists():
            continue
        dataset = opendata.dataset_create(
            actor=None,
            slug=spec["slug"],
            kind=spec["kind"],
            title=spec["title"],
            description=spec["description"],
            publisher=departments[spec["publisher"]],
            keywords=spec["keywords"],
            update_frequency=spec["frequency"],
        )
        created["datasets"] += 1
        review = spec.get("review")
        if review and reviewer is not None:
            opendata.dataset_review_record(
                actor=reviewer,
                dataset=dataset,
                decision=review["decision"],
                basis=review["basis"],
                reviewed_on=clock.today() - dt.timedelta(days=review["days_ago"]),
            )
    created["licences"] += _birth_certificate()
    created["recommendations"] += recommendations_generate()
    return created
