"""``onewindow run``: a crashed child is started again with back-off; the public address follows --bind."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from onewindow.cli import bind_environment_set, bind_option
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


@pytest.mark.parametrize(
    ("args", "bind"),
    [
        (["run"], "127.0.0.1:8000"),
        (["run", "--bind", "127.0.0.1:8101"], "127.0.0.1:8101"),
        (["run", "--bind=0.0.0.0:9000"], "0.0.0.0:9000"),
    ],
)
def test_the_bind_option_is_read_from_the_command_line(args, bind):
    assert bind_option(args) == bind


def test_the_public_address_follows_the_bind(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)

    bind_environment_set("127.0.0.1:8101")

    assert os.environ["ONEWINDOW_PUBLIC_BASE_URL"] == "http://127.0.0.1:8101"
    assert "127.0.0.1" in os.environ["ALLOWED_HOSTS"].split(",")


def test_a_wildcard_bind_publishes_the_loopback_address(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)

    bind_environment_set("0.0.0.0:9000")

    assert os.environ["ONEWINDOW_PUBLIC_BASE_URL"] == "http://127.0.0.1:9000"


def test_an_address_the_operator_set_wins_over_the_bind(monkeypatch):
    monkeypatch.setenv("ONEWINDOW_PUBLIC_BASE_URL", "https://zwfw.example.gov.cn")

    bind_environment_set("127.0.0.1:8101")

    assert os.environ["ONEWINDOW_PUBLIC_BASE_URL"] == "https://zwfw.example.gov.cn"


def test_the_command_line_makes_files_for_its_owner_only(tmp_path):
    # A fresh interpreter: the umask is process-wide and this test process must keep its own.
    script = (
        "import os, sys; sys.argv = ['onewindow', 'version']; "
        "from onewindow import cli; cli.os.umask(0o022)\n"
        "try:\n    cli.main(['--version'])\nexcept SystemExit:\n    pass\n"
        f"open({str(tmp_path / 'made')!r}, 'w').close(); os.mkdir({str(tmp_path / 'dir')!r})"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, cwd=tmp_path)

    assert (tmp_path / "made").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "dir").stat().st_mode & 0o777 == 0o700
