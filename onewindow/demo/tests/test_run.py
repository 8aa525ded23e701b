"""``onewindow run``: a crashed child is started again with back-off."""

from __future__ import annotations

import sys

from onewindow.demo.management.commands.run import (
    HEALTHY_AFTER_SECONDS,
    RESTART_DELAY_FIRST,
    RESTART_DELAY_MAX,
    Child,
    supervise_step,
)


def _crashed_child() -> Child:
    child = Child("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    child.start()
    assert child.process is not None
    child.process.wait(timeout=10)
    return child


def test_a_crashed_child_is_restarted_after_its_back_off():
    child = _crashed_child()
    crashed = child.process

    supervise_step(child, now=child.started_at + 1)
    assert child.process is crashed and child.restart_at == child.started_at + 1 + RESTART_DELAY_FIRST

    supervise_step(child, now=child.restart_at)
    assert child.process is not crashed and child.restarts == 1
    child.process.wait(timeout=10)


def test_a_child_that_keeps_crashing_waits_longer_each_time_up_to_the_cap():
    child = _crashed_child()
    delays = []
    for _ in range(10):
        supervise_step(child, now=child.started_at + 1)
        delays.append(child.restart_at - (child.started_at + 1))
        supervise_step(child, now=child.restart_at)
        child.process.wait(timeout=10)

    assert delays[:3] == [1.0, 2.0, 4.0] and max(delays) == RESTART_DELAY_MAX


def test_a_child_that_ran_long_before_crashing_restarts_at_once():
    child = _crashed_child()
    child.delay = RESTART_DELAY_MAX

    supervise_step(child, now=child.started_at + HEALTHY_AFTER_SECONDS + 1)

    assert child.restart_at == child.started_at + HEALTHY_AFTER_SECONDS + 1 + RESTART_DELAY_FIRST


def test_a_running_child_is_left_alone():
    child = Child("web", [sys.executable, "-c", "import time; time.sleep(30)"])
    child.start()
    try:
        supervise_step(child, now=child.started_at + 5)
        assert child.restart_at is None and child.restarts == 0
    finally:
        child.process.kill()
        child.process.wait()
