"""Proactive services: what is due is recommended once per event (the daily job may run any number of
times), never to a person who opted out of that kind, by SMS only to those who opted in — and shown in the
person's own space (我的待办) with a link to apply."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from onewindow.catalogue.tests.factories import published_item
from onewindow.core.models import AuditEntry
from onewindow.licences.tests.factories import licence_issued, licence_type
from onewindow.proactive import services
from onewindow.proactive.models import Preference, Recommendation
from onewindow.proactive.rules import Rule
from tests.factories import person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 29)
BUSINESS = "1110000000001TBL01"
BIRTH = "1110000000001TBC01"
RULES = (
    Rule(
        key="business-licence-expiry",
        kind="licence_expiry",
        title="您的营业执照即将到期",
        detail="营业执照将于 {due_on} 到期。",
        days_before=60,
        item="RENEW",
        licence_type=BUSINESS,
    ),
    Rule(
        key="primary-school-enrolment",
        kind="life_event",
        title="孩子即将满 6 周岁：入学报名",
        detail="{child} 将于 {due_on} 年满 6 周岁。",
        days_before=180,
        item="ENROL",
        child_age=6,
        birth_licence_type=BIRTH,
        birth_date_field="birth_date",
        child_name_field="baby_name",
    ),
)


class SmsRecorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> str:
        self.sent.append((phone, text))
        return "recorded"


@pytest.fixture
def sms(monkeypatch):
    recorder = SmsRecorder()
    monkeypatch.setattr(services, "plugin", lambda name: recorder)
    monkeypatch.setattr(services, "rules_load", lambda: RULES)
    return recorder


@pytest.fixture
def expiring(at):
    at("2026-09-29")
    holder = person(11, name="王五")
    kind = licence_type(code=BUSINESS, name="营业执照", validity_years=1)
    # Valid one year from 2025-10-20: expires 2026-10-19, three weeks ahead.
    return licence_issued(holder_person=holder, licence_type=kind, valid_from=dt.date(2025, 10, 20))


def test_a_licence_about_to_expire_is_recommended_once_however_often_the_job_runs(sms, expiring):
    assert services.recommendations_generate(today=TODAY) == 1
    assert services.recommendations_generate(today=TODAY) == 0
    assert services.recommendations_generate(today=TODAY + dt.timedelta(days=1)) == 0

    recommendation = Recommendation.objects.get()
    assert recommendation.title == "您的营业执照即将到期"
    assert recommendation.user == expiring.holder_person.user
    assert recommendation.due_on == expiring.valid_until
    assert AuditEntry.objects.filter(action="proactive.recommend").count() == 1
    assert sms.sent == []  # SMS is opt-in


def test_a_person_who_opted_out_gets_no_recommendation(sms, expiring):
    user = expiring.holder_person.user
    services.preference_set(actor=user, kind="licence_expiry", in_site=False, sms=False)

    assert services.recommendations_generate(today=TODAY) == 0
    assert not Recommendation.objects.exists()
    assert AuditEntry.objects.filter(action="proactive.preference_set").count() == 1


def test_opting_out_of_one_kind_keeps_the_other(sms, expiring, at):
    user = expiring.holder_person.user
    services.preference_set(actor=user, kind="life_event", in_site=False, sms=False)

    assert services.recommendations_generate(today=TODAY) == 1


def test_an_sms_is_sent_once_to_a_person_who_opted_in(sms, expiring):
    services.preference_set(actor=expiring.holder_person.user, kind="licence_expiry", in_site=True, sms=True)

    services.recommendations_generate(today=TODAY)
    services.recommendations_generate(today=TODAY)

    assert len(sms.sent) == 1
    assert sms.sent[0][0] == "13900000011" and "您的营业执照即将到期" in sms.sent[0][1]


def test_a_failed_sms_is_tried_again_on_the_next_run(sms, expiring, monkeypatch):
    services.preference_set(actor=expiring.holder_person.user, kind="licence_expiry", in_site=True, sms=True)

    class Down:
        def send(self, *, phone: str, text: str) -> str:
            raise ConnectionError("gateway down")

    monkeypatch.setattr(services, "plugin", lambda name: Down())
    services.recommendations_generate(today=TODAY)
    monkeypatch.setattr(services, "plugin", lambda name: sms)
    services.recommendations_generate(today=TODAY)

    assert len(sms.sent) == 1
    assert Recommendation.objects.get().sms_sent_at is not None


def test_sms_alone_without_the_site_is_refused(expiring):
    with pytest.raises(Exception) as refused:
        services.preference_set(
            actor=expiring.holder_person.user, kind="licence_expiry", in_site=False, sms=True
        )

    assert refused.value.code == "sms_needs_site"
    assert not Preference.objects.exists()


def test_a_child_reaching_school_age_is_recommended_from_the_birth_certificate(sms, at):
    at("2026-09-29")
    parent = person(12, name="林晓燕")
    kind = licence_type(
        code=BIRTH,
        name="出生医学证明",
        validity_years=None,
        face_fields=[
            {"key": "baby_name", "label": "新生儿姓名", "source": "form.baby_name"},
            {"key": "birth_date", "label": "出生日期", "source": "form.birth_date"},
        ],
    )
    licence_issued(
        holder_person=parent,
        licence_type=kind,
        face={"baby_name": "林一诺", "birth_date": "2020-12-01"},
        valid_from=dt.date(2020, 12, 5),
    )
    licence_issued(  # six in 2027-06: outside the 180-day window
        holder_person=parent,
        licence_type=kind,
        face={"baby_name": "林二诺", "birth_date": "2021-06-01"},
        valid_from=dt.date(2021, 6, 5),
    )

    assert services.recommendations_generate(today=TODAY) == 1

    recommendation = Recommendation.objects.get()
    assert recommendation.title == "孩子即将满 6 周岁：入学报名"
    assert recommendation.due_on == dt.date(2026, 12, 1)
    assert "林一诺" in recommendation.detail


def test_the_personal_space_lists_what_is_due_with_a_link_to_apply(
    sms, expiring, client_as, another_citizen, monkeypatch
):
    item = published_item()
    rule = dataclasses.replace(RULES[0], item=item.implementation_code)
    monkeypatch.setattr(services, "rules_load", lambda: (rule,))
    services.recommendations_generate(today=TODAY)
    user = expiring.holder_person.user

    page = client_as(user).get(reverse("proactive:due")).content.decode()
    other = client_as(another_citizen).get(reverse("proactive:due")).content.decode()

    assert "您的营业执照即将到期" in page
    assert reverse("cases:apply", args=[item.implementation_code]) in page
    assert "您的营业执照即将到期" not in other


def test_another_persons_recommendation_cannot_be_dismissed(sms, expiring, client_as, another_citizen):
    services.recommendations_generate(today=TODAY)
    recommendation = Recommendation.objects.get()

    response = client_as(another_citizen).post(reverse("proactive:dismiss", args=[recommendation.pk]))

    assert response.status_code == 404
    recommendation.refresh_from_db()
    assert recommendation.dismissed_at is None


def test_the_preferences_form_records_an_opt_out(client_as, citizen):
    response = client_as(citizen).post(reverse("proactive:preference", args=["life_event"]), {})

    assert response.status_code == 302
    assert Preference.objects.get(user=citizen, kind="life_event").in_site is False


def test_the_rules_file_is_valid():
    from onewindow.proactive.rules import rules_load

    keys = [rule.key for rule in rules_load()]
    assert "primary-school-enrolment" in keys and "business-licence-expiry" in keys


def test_a_child_known_from_a_birth_registration_case_is_recommended_once(
    sms, at, citizen, department_a, monkeypatch
):
    from onewindow.cases.models import Case, CaseStatus
    from onewindow.cases.tests.factories import case_in_state, case_item

    at("2026-09-29")
    item = case_item(department=department_a)
    case = case_in_state("submitted", user=citizen, item=item)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CONCLUDED)
    case = Case.objects.get(pk=case.pk)
    case.form_data = {**case.form_data, "baby_name": "张一诺", "birth_date": "2020-11-15"}
    case.save(update_fields=["form_data"])
    rule = dataclasses.replace(RULES[1], birth_licence_type="", birth_items=(item.implementation_code,))
    monkeypatch.setattr(services, "rules_load", lambda: (rule,))

    assert services.recommendations_generate(today=TODAY) == 1
    assert services.recommendations_generate(today=TODAY) == 0

    recommendation = Recommendation.objects.get()
    assert recommendation.user == citizen and recommendation.due_on == dt.date(2026, 11, 15)
