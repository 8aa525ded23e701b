"""The failure suite's checks, read from the primary once the load has stopped, and the committed report
(bench/results/failure-suite.json and .md)."""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.ops.load import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"


def queue_drain(*, timeout: float) -> bool:
    """Wait until no task is ready or running (True), or ``timeout`` seconds (False: work left behind)."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.ready().exists() and not DBTaskResult.objects.running().exists():
            return True
        time.sleep(2.0)
    return False


def _git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return result.stdout.strip()


def checks(*, suite: Any, citizens: list[Any], drained: bool) -> dict[str, Any]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from onewindow.cases.models import Case, CaseMessage, DeliveryStatus, IdempotencyKey, NotificationDelivery

    acknowledged = [ack for citizen in citizens for ack in citizen.acknowledged]
    given_up = [item for citizen in citizens for item in citizen.given_up]
    refused = [item for citizen in citizens for item in citizen.refused]
    users = suite.stream_users

    # Every acknowledged application present exactly once, and the one its key names.
    acknowledged_ids = {ack.case_id for ack in acknowledged}
    found = set(map(str, Case.objects.filter(pk__in=acknowledged_ids).values_list("pk", flat=True)))
    keys = {
        (str(row.user_id), row.key): str(row.case_id)
        for row in IdempotencyKey.objects.filter(user_id__in=users).only("user_id", "key", "case_id")
    }
    stream_cases = Case.objects.filter(applicant__user_id__in=users)
    keyed_case_ids = set(keys.values())
    unkeyed = stream_cases.exclude(pk__in=keyed_case_ids).count()
    acknowledged_twice = len(acknowledged) - len(acknowledged_ids)
    mismatched = 0
    user_of_phone = _users_by_phone(users)
    for ack in acknowledged:
        if keys.get((user_of_phone.get(ack.user, ""), ack.key)) != ack.case_id:
            mismatched += 1
    given_up_created = sum(
        1
        for citizen in citizens
        for item in citizen.given_up
        if (user_of_phone.get(citizen.phone, ""), item["key"]) in keys
    )

    # Every notification delivered exactly once: one in-site message per case and event, one delivery per
    # channel, and each delivery sent.
    messages = Counter(
        (str(row["case_id"]), row["event"])
        for row in CaseMessage.objects.filter(case__in=stream_cases).values("case_id", "event")
    )
    notified_cases = {case_id for case_id, _ in messages}
    deliveries = (
        NotificationDelivery.objects.filter(case__in=stream_cases)
        .values("case_id", "event", "channel")
        .annotate(n=Count("id"))
    )
    delivery_duplicates = sum(1 for row in deliveries if row["n"] > 1)
    delivery_status = Counter(
        NotificationDelivery.objects.filter(case__in=stream_cases).values_list("status", flat=True)
    )
    submitted_cases = set(map(str, stream_cases.exclude(submitted_at=None).values_list("pk", flat=True)))
    never_notified = len(submitted_cases - notified_cases)

    # What the clients saw, per phase.
    phases: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    unexpected_5xx = json_503 = html_503 = 0
    for (phase, kind, outcome), count in sorted(suite.recorder.answers.items()):
        phases[phase][kind][outcome] = count
        if outcome.endswith(UNEXPECTED):
            unexpected_5xx += count
        elif outcome == "503 application/json":
            json_503 += count
        elif outcome == "503 text/html":
            html_503 += count

    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
    unfinished = [
        {"task": row.task_path, "status": row.status, "exception": row.exception_class_path}
        for row in DBTaskResult.objects.exclude(status="SUCCESSFUL").order_by("enqueued_at")[:20]
    ]
    figures = {
        "acknowledged": len(acknowledged),
        "acknowledged_missing": len(acknowledged_ids - found),
        "acknowledged_twice_by_the_server": acknowledged_twice,
        "acknowledged_with_another_case_than_its_key": mismatched,
        "cases_of_the_stream": stream_cases.count(),
        "cases_without_their_key (duplicates)": unkeyed,
        "given_up_by_clients": len(given_up),
        "given_up_but_created": given_up_created,
        "refused_4xx": len(refused),
        "submitted_cases_never_notified": never_notified,
        "in_site_messages_more_than_once": sum(1 for n in messages.values() if n > 1),
        "deliveries_more_than_once_per_channel": delivery_duplicates,
        "deliveries_by_status": dict(delivery_status),
        "deliveries_not_sent": sum(
            n for status, n in delivery_status.items() if status != DeliveryStatus.SENT
        ),
        "tasks_by_status": dict(tasks),
        "tasks_not_successful": unfinished,
        "queue_drained": drained,
        "unexpected_5xx_answers": unexpected_5xx,
        "json_503_answers (with Retry-After)": json_503,
        "chinese_503_pages (with Retry-After)": html_503,
        "retries_per_acknowledged": round(
            sum(a.attempts for a in acknowledged) / max(len(acknowledged), 1), 3
        ),
    }
    verdict = {
        "every_acknowledged_present_once": figures["acknowledged_missing"] == 0
        and unkeyed == 0
        and mismatched == 0,
        "every_notification_delivered_once": never_notified == 0
        and figures["in_site_messages_more_than_once"] == 0
        and delivery_duplicates == 0
        and figures["deliveries_not_sent"] == 0,
        # No HTML 500 and no other 5xx: only 503 with Retry-After, JSON under /api/, the Chinese page elsewhere.
        "no_unexpected_5xx": unexpected_5xx == 0,
        "queue_drained": drained,
    }
    verdict["passed"] = all(verdict.values())
    return {
        "what": "failure suite (issue #17): the production topology on one machine under faults",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "settings": {
            "app_servers": suite.args.app_servers,
            "workers": suite.args.workers,
            "citizens": suite.args.citizens,
            "items": suite.args.items,
            "phase_seconds": suite.args.phase_seconds,
        },
        "verdict": verdict,
        "figures": figures,
        "answers_by_phase": {
            phase: dict(phases[phase]) for phase in _phase_order(suite.events) if phase in phases
        },
        "unexpected_5xx_samples": suite.recorder.unexpected_5xx_samples,
        "refused_samples": refused[:10],
        "events": suite.events,
    }


def _findings(results: dict[str, Any]) -> list[str]:
    """What failed, in words, from the figures (nothing here is written by hand: it follows each run)."""
    figures, found = results["figures"], []
    unexpected_phases = sorted(
        {
            phase
            for phase, kinds in results["answers_by_phase"].items()
            for outcomes in kinds.values()
            for outcome in outcomes
            if outcome.endswith(UNEXPECTED)
        }
    )
    if figures["unexpected_5xx_answers"]:
        found.append(
            f"- {figures['unexpected_5xx_answers']} answers were 5xx other than a 503 with Retry-After (JSON under"
            f" /api/, the Chinese page elsewhere), in: {', '.join(unexpected_phases)}."
        )
    stranded = [task for task in figures.get("tasks_not_successful", []) if task["status"] == "RUNNING"]
    if stranded:
        names = ", ".join(sorted({task["task"] for task in stranded}))
        found.append(
            f"- {len(stranded)} task(s) still RUNNING after the drain, never finished or retried: {names}."
        )
    if figures["submitted_cases_never_notified"]:
        found.append(
            f"- {figures['submitted_cases_never_notified']} submitted application(s) never notified."
        )
    died = [event["event"] for event in results["events"] if event["event"].startswith("died without")]
    for event in died:
        found.append(
            f"- {event.removeprefix('died without being killed: ')} exited by itself, not killed (then started again)."
        )
    if figures["acknowledged_missing"] or figures["cases_without_their_key (duplicates)"]:
        found.append("- Acknowledged applications missing or duplicated: see the figures.")
    return found or ["- Every check passed."]


def _phase_order(events: list[dict[str, Any]]) -> list[str]:
    """The phases in the order they ran (the per-phase table reads as a time line)."""
    ran = [event["event"].removeprefix("phase: ") for event in events if event["event"].startswith("phase: ")]
    return ["setup", *ran, "drain"]


def _users_by_phone(users: list[str]) -> dict[str, str]:
    from onewindow.identity.models import Person

    return {
        person.phone: str(person.user_id)
        for person in Person.objects.filter(user_id__in=users).only("phone", "user_id")
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def report_write(results: dict[str, Any]) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / "failure-suite.json"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown_path = RESULTS / "failure-suite.md"
    markdown_path.write_text(_markdown(results))
    return json_path, markdown_path


def _markdown(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = [
        "# Failure suite",
        "",
        f"Run {results['when']} on commit `{results['commit']}` ({results['machine']['cpus']} CPUs), by "
        "`scripts/failure-suite` (bench/ops/). The production topology of `onewindow cluster` on loopback:",
        f"nginx → {settings['app_servers']} gunicorn app servers; pgbouncer (transaction mode) → PostgreSQL primary,",
        f"streaming replica for public reads; Redis; {settings['workers']} task workers and the scheduler.",
        f"{settings['citizens']} citizens submit applications over HTTP through nginx (session + CSRF, an",
        "Idempotency-Key per application, retried with the same key) and read their own applications page",
        "(HTML, from the primary); one visitor reads public pages. A 5xx is expected only as a 503 with",
        "Retry-After: JSON under /api/, the Chinese 503 page elsewhere; any other is marked (unexpected).",
        f"Each fault lasts half of a {settings['phase_seconds']:.0f} s phase; a killed process is then started",
        "again as systemd would. Raw figures: [failure-suite.json](failure-suite.json).",
        "",
        "## Verdict",
        "",
        "| check | result |",
        "|---|---|",
    ]
    for check, passed in results["verdict"].items():
        lines.append(f"| {check.replace('_', ' ')} | {'**pass**' if passed else '**FAIL**'} |")
    lines += ["", "## Findings", "", *_findings(results)]
    lines += ["", "## Figures", "", "| figure | value |", "|---|---|"]
    for name, value in results["figures"].items():
        lines.append(f"| {name.replace('_', ' ')} | {value} |")
    lines += ["", "## What the clients saw, per phase", "", "| phase | client | answers |", "|---|---|---|"]
    for phase, kinds in results["answers_by_phase"].items():
        for kind, outcomes in kinds.items():
            text = ", ".join(f"{outcome}: {count}" for outcome, count in outcomes.items())
            lines.append(f"| {phase} | {kind} | {text} |")
    lines += ["", "## Events", ""]
    for event in results["events"]:
        lines.append(f"- {event['at_seconds']} s ({event['phase']}): {event['event']}")
    if results["unexpected_5xx_samples"]:
        lines += ["", "## Unexpected 5xx answers (samples)", ""]
        for sample in results["unexpected_5xx_samples"][:5]:
            body = " ".join(sample["body"].split())[:160]
            lines.append(
                f"- {sample['phase']}, {sample['kind']} `{sample['path']}`: {sample['status']}"
                f" (Retry-After: {sample['retry_after'] or 'none'}) `{body}`"
            )
    return "\n".join(lines) + "\n"
