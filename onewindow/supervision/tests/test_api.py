"""The supervision API: scoped like the workbench (a supervisor's region and level, a department's own alerts,
another's refused), every write through the same services with a session and its CSRF token or with a bearer
token, bad input refused with a stable code, and the webhook events of a raised alert and of an order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.core.models import AuditEntry
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.organisations.models import RegionLevel, Role
from onewindow.supervision import services
from onewindow.supervision.models import (
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    OrderStatus,
    SupervisionOrder,
)
from onewindow.supervision.rules import rule_version_current
from onewindow.supervision.scan import supervision_scan
from onewindow.webhooks import services as webhook_services
from onewindow.webhooks.models import WebhookEvent
from tests.factories import DepartmentFactory, MembershipFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 16)
CSRF = "c" * 32
JSON = "application/json"


@pytest.fixture
def red_alert(accepted):
    accepted(dt.date(2026, 11, 2))
    accepted(dt.date(2026, 11, 13))
    supervision_scan(today=TODAY)
    return Alert.objects.get(kind=AlertKind.CASE, level=AlertLevel.RED)


def _alert_of(department: Any, *, level: str = AlertLevel.YELLOW, kind: str = AlertKind.QUESTION) -> Alert:
    return Alert.objects.create(
        kind=kind,
        level=level,
        object_type="consult.question",
        object_id=f"{department.pk.hex[:8]}-{level}-{Alert.objects.count()}",
        reference="咨询件",
        department=department,
        due_on=dt.date(2026, 11, 10),
        rule_version=rule_version_current(),
        raised_at=timezone.now(),
    )


@pytest.fixture
def far_supervisor(db):
    """A supervisor of 厦门市: 福州's departments are outside their region."""
    xiamen = RegionFactory(code="350200", name="厦门市", level=RegionLevel.CITY, parent=RegionFactory())
    department = DepartmentFactory(name="厦门市数据管理局", region=xiamen)
    return MembershipFactory(
        user=UserFactory(username="far_supervisor", is_staff=True),
        department=department,
        role=Role.SUPERVISOR,
    ).user


def session(user: Any) -> Client:
    """A browser session whose writes are CSRF-checked (the token sent in the header, as htmx does)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(path, body or {}, content_type=JSON, HTTP_X_CSRFTOKEN=CSRF, **headers)


@pytest.fixture
def bearer(platform_admin):
    """``bearer(user, scope)``: the Authorization header of a department system's live access token."""
    application, _secret = department_system(platform_admin)

    def make(user: Any, scope: str = "openid supervision:read supervision:write") -> dict[str, str]:
        raw = f"supervision-{user.username}-{AccessToken.objects.count()}"
        AccessToken.objects.create(
            user=user,
            application=application,
            token=raw,
            scope=scope,
            expires=timezone.now() + dt.timedelta(hours=1),
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def _ids(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["items"]}


# --- reading, and who may --------------------------------------------------------------------------------


def test_the_supervisor_lists_the_alerts_with_filters(red_alert, supervisor, department_b):
    other = _alert_of(department_b)
    client = session(supervisor)

    everything = client.get("/api/v1/supervision/alerts")
    red = client.get("/api/v1/supervision/alerts", {"level": "red"})
    due_early = client.get("/api/v1/supervision/alerts", {"due_from": "2026-11-01", "due_to": "2026-11-05"})
    of_b = client.get("/api/v1/supervision/alerts", {"department": str(department_b.pk)})

    assert everything.json()["count"] == 3
    assert _ids(red) == {str(red_alert.pk)}
    assert _ids(due_early) == {str(red_alert.pk)}
    assert _ids(of_b) == {str(other.pk)}
    row = red.json()["items"][0]
    assert row["level"] == {"code": "red", "label": "红牌"}
    assert row["department"]["id"] == str(red_alert.department_id)
    assert row["rule_version"] == 1 and row["order_id"] is None


def test_department_staff_see_only_their_departments_alerts(red_alert, officer_a, clerk_b, department_b):
    other = _alert_of(department_b)

    assert str(red_alert.pk) in _ids(session(officer_a).get("/api/v1/supervision/alerts"))
    assert str(other.pk) not in _ids(session(officer_a).get("/api/v1/supervision/alerts"))
    assert _ids(session(clerk_b).get("/api/v1/supervision/alerts")) == {str(other.pk)}
    refused = session(clerk_b).get(f"/api/v1/supervision/alerts/{red_alert.pk}")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")


def test_another_regions_supervisor_sees_nothing_and_may_do_nothing(red_alert, far_supervisor):
    client = session(far_supervisor)

    assert _ids(client.get("/api/v1/supervision/alerts")) == set()
    assert client.get(f"/api/v1/supervision/alerts/{red_alert.pk}").status_code == 403
    refused = post(client, f"/api/v1/supervision/alerts/{red_alert.pk}/acknowledge")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.OPEN


def test_a_citizen_is_refused_everywhere(red_alert, citizen):
    client = session(citizen)

    for path in ("alerts", f"alerts/{red_alert.pk}", "breaches", "rules"):
        answer = client.get(f"/api/v1/supervision/{path}")
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden"), path
        assert "监察" in answer.json()["message"] or "权限" in answer.json()["message"]
    assert (
        post(client, f"/api/v1/supervision/alerts/{red_alert.pk}/order", {"instruction": "x"}).status_code
        == 403
    )
    assert not SupervisionOrder.objects.exists()


def test_an_unknown_alert_or_order_is_404(supervisor):
    client = session(supervisor)
    for path in ("alerts", "orders"):
        answer = client.get(f"/api/v1/supervision/{path}/00000000-0000-0000-0000-000000000000")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_without_a_sign_in_it_is_401(red_alert):
    answer = Client().get("/api/v1/supervision/alerts")
    assert (answer.status_code, answer.json()["code"]) == (401, "unauthenticated")


def test_the_breach_records_list_only_breaches(red_alert, supervisor, department_a):
    breach = _alert_of(department_a, level=AlertLevel.BREACH, kind=AlertKind.OUT_OF_GUIDE)

    answer = session(supervisor).get("/api/v1/supervision/breaches")

    assert _ids(answer) == {str(breach.pk)}
    assert answer.json()["items"][0]["kind"]["code"] == "out_of_guide"


def test_the_rules_in_force_for_a_supervisor_only(supervisor, officer_a):
    answer = session(supervisor).get("/api/v1/supervision/rules")
    assert answer.status_code == 200
    assert answer.json()["number"] == 1 and answer.json()["warn_percent"] == 80
    assert session(officer_a).get("/api/v1/supervision/rules").status_code == 403


# --- writing: the 督办 journey -----------------------------------------------------------------------------


def test_the_journey_with_a_session_and_its_csrf_token(red_alert, supervisor, officer_a):
    supervising, department = session(supervisor), session(officer_a)
    base = f"/api/v1/supervision/alerts/{red_alert.pk}"

    no_csrf = supervising.post(f"{base}/acknowledge", content_type=JSON)
    assert (no_csrf.status_code, no_csrf.json()["code"]) == (403, "csrf_failed")

    acknowledged = post(supervising, f"{base}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["status"]["code"] == "acknowledged"

    issued = post(supervising, f"{base}/order", {"instruction": "请于 5 个工作日内办结并说明逾期原因。"})
    assert issued.status_code == 201, issued.content
    order = issued.json()
    assert order["number"] == "DB202611160001" and order["reply_due_on"] == "2026-11-23"
    assert order["status"]["code"] == "issued" and order["alert"]["id"] == str(red_alert.pk)
    assert supervising.get(base).json()["order_id"] == order["id"]

    assert {row["id"] for row in department.get("/api/v1/supervision/orders").json()["items"]} == {
        order["id"]
    }
    replied = post(department, f"/api/v1/supervision/orders/{order['id']}/reply", {"reply": "已办结。"})
    assert replied.status_code == 200, replied.content
    assert replied.json()["status"]["code"] == "replied" and replied.json()["replied_by"]

    refused = post(department, f"/api/v1/supervision/orders/{order['id']}/close")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    closed = post(supervising, f"/api/v1/supervision/orders/{order['id']}/close", {"note": "同意办结"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"]["code"] == "closed"
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.CLOSED

    actions = set(
        AuditEntry.objects.filter(action__startswith="supervision.").values_list("action", flat=True)
    )
    assert {"supervision.alert_acknowledge", "supervision.order_issue", "supervision.order_reply",
            "supervision.order_close"} <= actions  # fmt: skip


def test_the_journey_with_bearer_tokens_needs_no_csrf(red_alert, supervisor, officer_a, bearer):
    client = Client(enforce_csrf_checks=True)
    issued = client.post(
        f"/api/v1/supervision/alerts/{red_alert.pk}/order",
        {"instruction": "请说明逾期原因。"},
        content_type=JSON,
        **bearer(supervisor),
    )
    assert issued.status_code == 201, issued.content
    order_id = issued.json()["id"]
    replied = client.post(
        f"/api/v1/supervision/orders/{order_id}/reply",
        {"reply": "系现场核查延误，已办结。"},
        content_type=JSON,
        **bearer(officer_a),
    )
    assert replied.status_code == 200, replied.content
    assert SupervisionOrder.objects.get(pk=order_id).status == OrderStatus.REPLIED


def test_a_read_only_token_may_read_but_not_act(red_alert, supervisor, bearer):
    headers = bearer(supervisor, "openid supervision:read")
    client = Client(enforce_csrf_checks=True)

    assert client.get("/api/v1/supervision/alerts", **headers).status_code == 200
    refused = client.post(f"/api/v1/supervision/alerts/{red_alert.pk}/acknowledge", **headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert 'scope="supervision:write supervision"' in refused["WWW-Authenticate"]
    other = client.get("/api/v1/supervision/alerts", **bearer(supervisor, "openid tasks:read"))
    assert (other.status_code, other.json()["code"]) == (403, "insufficient_scope")
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.OPEN


def test_department_staff_may_not_acknowledge_or_issue(red_alert, officer_a):
    client = session(officer_a)
    for action, body in (("acknowledge", None), ("order", {"instruction": "自己督办自己"}), ("close", None)):
        answer = post(client, f"/api/v1/supervision/alerts/{red_alert.pk}/{action}", body)
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden"), action
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.OPEN
    assert not SupervisionOrder.objects.exists()


def test_another_department_may_not_read_or_reply_to_the_order(red_alert, supervisor, clerk_b):
    order = post(
        session(supervisor), f"/api/v1/supervision/alerts/{red_alert.pk}/order", {"instruction": "x"}
    )
    path = f"/api/v1/supervision/orders/{order.json()['id']}"

    assert session(clerk_b).get(path).status_code == 403
    assert post(session(clerk_b), f"{path}/reply", {"reply": "不是我们的"}).status_code == 403
    assert SupervisionOrder.objects.get().status == OrderStatus.ISSUED


# --- bad input ----------------------------------------------------------------------------------------------


def test_bad_input_is_a_4xx_with_a_code_and_nothing_is_written(red_alert, supervisor):
    client = session(supervisor)
    base = f"/api/v1/supervision/alerts/{red_alert.pk}"
    cases = [
        (client.get("/api/v1/supervision/alerts", {"level": "purple"}), 422, "invalid_input"),
        (client.get("/api/v1/supervision/alerts", {"due_from": "2026-11-20", "due_to": "2026-11-01"}), 400,
         "due_range_invalid"),
        (client.get("/api/v1/supervision/alerts", {"due_from": "yesterday"}), 422, "invalid_input"),
        (client.get("/api/v1/supervision/alerts", {"due_to": "0"}), 422, "invalid_input"),
        (post(client, f"{base}/order", {}), 422, "invalid_input"),
        (post(client, f"{base}/order", {"instruction": "x" * 2001}), 422, "invalid_input"),
        (post(client, f"{base}/order", {"instruction": "   "}), 400, "order_instruction_required"),
    ]  # fmt: skip
    for answer, status, code in cases:
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.content
        assert answer.json()["message"]
    assert not SupervisionOrder.objects.exists()


def test_a_second_order_or_acknowledgement_is_a_409(red_alert, supervisor, officer_a):
    client = session(supervisor)
    base = f"/api/v1/supervision/alerts/{red_alert.pk}"
    assert post(client, f"{base}/acknowledge").status_code == 200
    order = post(client, f"{base}/order", {"instruction": "请说明。"}).json()

    again = post(client, f"{base}/acknowledge")
    second = post(client, f"{base}/order", {"instruction": "再督办一次"})
    too_early = post(client, f"/api/v1/supervision/orders/{order['id']}/close")

    assert (again.status_code, again.json()["code"]) == (409, "alert_not_open")
    assert (second.status_code, second.json()["code"]) == (409, "order_exists")
    assert (too_early.status_code, too_early.json()["code"]) == (409, "order_not_replied")
    assert SupervisionOrder.objects.count() == 1


# --- cost ---------------------------------------------------------------------------------------------------


def test_the_lists_cost_the_same_queries_however_long(
    red_alert, supervisor, officer_a, department_a, django_assert_max_num_queries
):
    for _ in range(8):
        _alert_of(department_a)
    for alert in Alert.objects.all()[:6]:
        services.order_issue(alert=alert, actor=supervisor, instruction="请说明。")
    for order in SupervisionOrder.objects.all()[:3]:
        services.order_reply(order=order, actor=officer_a, reply="已办结。")
    supervising, department = session(supervisor), session(officer_a)

    with django_assert_max_num_queries(14):
        assert supervising.get("/api/v1/supervision/alerts").json()["count"] == 10
    with django_assert_max_num_queries(14):
        assert supervising.get("/api/v1/supervision/orders").json()["count"] == 6
    with django_assert_max_num_queries(14):
        assert department.get("/api/v1/supervision/orders").json()["count"] == 6
    with django_assert_max_num_queries(14):
        assert department.get("/api/v1/supervision/breaches").status_code == 200


# --- webhook events -----------------------------------------------------------------------------------------


def test_raised_alerts_and_orders_are_webhook_events_of_the_department(
    accepted, supervisor, officer_a, platform_admin, department_a
):
    application, _secret = department_system(platform_admin)
    webhook_services.subscription_create(
        actor=platform_admin,
        application=application,
        department=department_a,
        url="https://dept.example.cn/hooks",
        events=["supervision.alert_raised", "supervision.order_issued", "supervision.order_replied"],
    )
    accepted(dt.date(2026, 11, 2))
    supervision_scan(today=TODAY)
    alert = Alert.objects.get(kind=AlertKind.CASE, level=AlertLevel.RED)
    order = post(
        session(supervisor), f"/api/v1/supervision/alerts/{alert.pk}/order", {"instruction": "请说明。"}
    )
    post(session(officer_a), f"/api/v1/supervision/orders/{order.json()['id']}/reply", {"reply": "已办结。"})

    events = list(WebhookEvent.objects.order_by("occurred_at", "event_type"))
    raised = [event for event in events if event.event_type == "supervision.alert_raised"]
    assert {event.payload["data"]["alert"]["id"] for event in raised} == {
        str(pk) for pk in Alert.objects.values_list("pk", flat=True)
    }
    assert {event.event_type for event in events} == {
        "supervision.alert_raised",
        "supervision.order_issued",
        "supervision.order_replied",
    }
    issued = next(event for event in events if event.event_type == "supervision.order_issued")
    assert issued.payload["data"]["order"]["number"] == "DB202611160001"
    assert issued.department_id == department_a.pk
