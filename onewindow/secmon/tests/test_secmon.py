"""Security monitoring: events from the audit trail and refused requests, thresholds raising alerts to the
platform administrators, incidents handled step by step, and six months' retention."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.urls import reverse

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.core.ratelimit import rate_limit_hit
from onewindow.core.services import audit_record
from onewindow.core.signals import security_event
from onewindow.secmon.models import (
    AlertStatus,
    EventKind,
    Incident,
    IncidentStage,
    SecurityAlert,
    SecurityEvent,
)
from onewindow.secmon.services import (
    incident_advance,
    incident_report,
    security_alert_acknowledge,
    security_event_record,
    security_events_prune,
)
from onewindow.secmon.tasks import security_events_prune_job

pytestmark = pytest.mark.django_db
DASHBOARD = "/workbench/security/"


@pytest.fixture
def low_thresholds(settings):
    settings.ONEWINDOW_SECMON_THRESHOLDS = {
        **settings.ONEWINDOW_SECMON_THRESHOLDS,
        "sign_in_failed": (3, 900),
    }


@pytest.fixture
def admin_with_mail(platform_admin):
    platform_admin.email = "security@example.gov.cn"
    platform_admin.save(update_fields=["email"])
    return platform_admin


def _failed_sign_in(name: str = "139****0001") -> AuditEntry:
    return audit_record(
        actor=None, action="auth.login_failed", actor_label=name, changes={"method": "password"}
    )


def test_a_failed_sign_in_in_the_audit_trail_is_a_security_event(db):
    entry = _failed_sign_in()
    event = SecurityEvent.objects.get()
    assert (event.kind, event.subject, event.audit_seq) == (
        EventKind.SIGN_IN_FAILED,
        "139****0001",
        entry.seq,
    )


def test_other_audit_actions_are_not_security_events(department_a):
    audit_record(actor=None, action="department.update", target=department_a)
    assert not SecurityEvent.objects.exists()


def test_a_lockout_is_a_security_event(citizen):
    audit_record(actor=None, action="auth.locked", target=citizen, actor_label="139****0001")
    assert SecurityEvent.objects.get().kind == EventKind.LOCKOUT


def test_events_below_the_threshold_raise_no_alert(low_thresholds):
    _failed_sign_in()
    _failed_sign_in()
    assert not SecurityAlert.objects.exists()


def test_crossing_the_threshold_raises_an_audited_alert(low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = SecurityAlert.objects.get()
    assert (alert.kind, alert.subject, alert.count, alert.status) == (
        "sign_in_failed",
        "139****0001",
        3,
        "open",
    )
    assert AuditEntry.objects.filter(action="security.alert_raise", target_id=str(alert.pk)).count() == 1


def test_an_alert_is_mailed_to_the_platform_administrators(
    low_thresholds, admin_with_mail, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _failed_sign_in()
    assert [m.to for m in mailoutbox] == [["security@example.gov.cn"]]
    assert "安全告警" in mailoutbox[0].subject
    assert "/workbench/security/" in mailoutbox[0].body


def test_a_continuing_burst_extends_the_open_alert_without_mailing_again(
    low_thresholds, admin_with_mail, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            _failed_sign_in()
    assert SecurityAlert.objects.get().count == 6
    assert len(mailoutbox) == 1


def test_failures_from_one_address_over_many_names_raise_an_alert_for_the_address(low_thresholds):
    for n in range(3):
        security_event_record(kind=EventKind.SIGN_IN_FAILED, subject=f"name{n}", ip="203.0.113.9")
    assert SecurityAlert.objects.get().subject == "ip:203.0.113.9"


def test_a_rate_limit_first_exceeded_is_a_security_event_once_per_window(settings, db):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 3600)}
    for _ in range(5):
        with contextlib.suppress(DomainError):
            rate_limit_hit(scope="public_lookup", key="198.51.100.4")
    event = SecurityEvent.objects.get()
    assert (event.kind, event.subject) == (EventKind.RATE_LIMITED, "public_lookup:198.51.100.4")


def test_an_event_reported_through_the_core_signal_is_recorded(db):
    security_event.send(sender=None, kind=EventKind.DATA_EXPORT, subject="exporter", ip="192.0.2.1")
    assert SecurityEvent.objects.get().kind == EventKind.DATA_EXPORT


def test_a_key_rotation_alerts_at_once(db):
    audit_record(actor=None, action="oidc_key.rotate")
    assert SecurityAlert.objects.get().kind == EventKind.KEY_ROTATION


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(DomainError, match=r"secmon\.unknown_kind"):
        security_event_record(kind="sneezing", subject="x")


def test_a_refused_page_is_counted_as_a_permission_refusal(client_as, clerk_a):
    assert client_as(clerk_a).get(DASHBOARD).status_code == 403
    event = SecurityEvent.objects.get(kind=EventKind.PERMISSION_REFUSED)
    assert event.subject == "clerk_a"
    assert event.detail["status"] == 403


def test_a_not_found_on_a_watched_path_is_counted(client_as, citizen):
    client_as(citizen).get("/workbench/security/incidents/00000000-0000-0000-0000-000000000000/")
    assert SecurityEvent.objects.filter(kind=EventKind.PERMISSION_REFUSED).exists()


def test_a_not_found_elsewhere_is_not_counted(client):
    assert client.get("/no-such-page").status_code == 404
    assert not SecurityEvent.objects.exists()


def test_the_dashboard_is_for_platform_administrators(client_as, platform_admin):
    response = client_as(platform_admin).get(DASHBOARD)
    assert response.status_code == 200
    assert "安全监测" in response.content.decode()


def test_the_dashboard_refuses_staff_who_are_not_platform_administrators(client_as, supervisor):
    assert client_as(supervisor).get(DASHBOARD).status_code == 403


def test_the_dashboard_sends_visitors_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("identity:login") in response["Location"]


def test_the_dashboard_lists_open_alerts(client_as, platform_admin, low_thresholds):
    for _ in range(3):
        _failed_sign_in("138****9999")
    assert "138****9999" in client_as(platform_admin).get(DASHBOARD).content.decode()


def test_acknowledging_an_alert_closes_it_and_is_audited(client_as, platform_admin, low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = SecurityAlert.objects.get()
    response = client_as(platform_admin).post(reverse("secmon:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, platform_admin)
    assert AuditEntry.objects.filter(action="security.alert_acknowledge").count() == 1


def test_an_alert_is_acknowledged_once(platform_admin, low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = security_alert_acknowledge(alert=SecurityAlert.objects.get(), actor=platform_admin)
    with pytest.raises(DomainError) as refused:
        security_alert_acknowledge(alert=alert, actor=platform_admin)
    assert refused.value.status == 409


def test_others_cannot_acknowledge_an_alert(client_as, clerk_a, low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = SecurityAlert.objects.get()
    assert client_as(clerk_a).post(reverse("secmon:alert_acknowledge", args=[alert.pk])).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_reporting_an_incident_opens_it_at_the_reported_stage(client_as, platform_admin):
    response = client_as(platform_admin).post(
        reverse("secmon:incident_create"), {"title": "撞库攻击", "severity": "III", "note": "大量失败登录"}
    )
    incident = Incident.objects.get()
    assert response["Location"] == reverse("secmon:incident", args=[incident.pk])
    assert (incident.stage, incident.severity, incident.reported_by) == ("reported", "III", platform_admin)
    assert [s.stage for s in incident.steps.all()] == ["reported"]
    assert AuditEntry.objects.filter(action="security.incident_report", target_id=str(incident.pk)).exists()


def test_an_incident_without_a_title_is_refused_and_nothing_is_written(client_as, platform_admin):
    response = client_as(platform_admin).post(
        reverse("secmon:incident_create"), {"title": "", "severity": "III", "note": "x"}
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_an_incident_can_be_reported_from_an_alert(platform_admin, low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = SecurityAlert.objects.get()
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="研判中", alert=alert)
    assert incident.alert == alert


def test_an_incident_goes_through_every_step_in_order_each_audited(client_as, platform_admin):
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="发现")
    client = client_as(platform_admin)
    for stage in ["assessed", "contained", "notified", "closed"]:
        response = client.post(
            reverse("secmon:incident", args=[incident.pk]), {"stage": stage, "note": f"{stage} 说明"}
        )
        assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.stage == IncidentStage.CLOSED
    assert [s.stage for s in incident.steps.all()] == [
        "reported",
        "assessed",
        "contained",
        "notified",
        "closed",
    ]
    assert (
        AuditEntry.objects.filter(action="security.incident_advance", target_id=str(incident.pk)).count() == 4
    )


def test_a_step_cannot_be_skipped(platform_admin):
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="发现")
    with pytest.raises(DomainError, match="incident_stage_order"):
        incident_advance(incident=incident, actor=platform_admin, stage="closed", note="直接关闭")


def test_a_step_needs_a_note_and_the_page_says_so(client_as, platform_admin):
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="发现")
    response = client_as(platform_admin).post(
        reverse("secmon:incident", args=[incident.pk]), {"stage": "assessed", "note": ""}
    )
    assert response.status_code == 400
    assert incident.steps.count() == 1


def test_a_closed_incident_takes_no_more_steps(platform_admin):
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="发现")
    for stage in ["assessed", "contained", "notified", "closed"]:
        incident = incident_advance(incident=incident, actor=platform_admin, stage=stage, note="说明")
    with pytest.raises(DomainError, match="incident_closed"):
        incident_advance(incident=incident, actor=platform_admin, stage="closed", note="again")


def test_others_cannot_see_an_incident(client_as, platform_admin, clerk_a):
    incident = incident_report(actor=platform_admin, title="撞库", severity="IV", note="发现")
    assert client_as(clerk_a).get(reverse("secmon:incident", args=[incident.pk])).status_code == 403


def _event_aged(days: int) -> SecurityEvent:
    event = security_event_record(kind=EventKind.DATA_EXPORT, subject="exporter")
    SecurityEvent.objects.filter(pk=event.pk).update(at=clock.now() - dt.timedelta(days=days))
    return event


def test_pruning_deletes_events_past_the_retention_period(settings, db):
    settings.ONEWINDOW_SECMON_RETENTION_DAYS = 200
    old, young = _event_aged(201), _event_aged(199)
    assert security_events_prune() == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [young.pk]
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()


def test_pruning_never_deletes_events_younger_than_six_months(settings, db):
    settings.ONEWINDOW_SECMON_RETENTION_DAYS = 30
    kept = _event_aged(179)
    security_events_prune_job.call()
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()


def test_an_incident_naming_a_malformed_alert_is_refused_and_nothing_is_written(client_as, platform_admin):
    response = client_as(platform_admin).post(
        reverse("secmon:incident_create"),
        {"title": "撞库", "severity": "IV", "note": "x", "alert": "not-a-uuid"},
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_others_cannot_report_an_incident(client_as, clerk_a):
    response = client_as(clerk_a).post(
        reverse("secmon:incident_create"), {"title": "撞库", "severity": "IV", "note": "x"}
    )
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_the_report_form_preselects_the_alert_it_was_opened_from(client_as, platform_admin, low_thresholds):
    for _ in range(3):
        _failed_sign_in()
    alert = SecurityAlert.objects.get()
    page = client_as(platform_admin).get(f"{DASHBOARD}?alert={alert.pk}").content.decode()
    assert f'<option value="{alert.pk}" selected>' in page
