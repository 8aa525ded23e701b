"""The ``onewindow`` command line: the public address follows ``run --bind``, and files it makes are its
owner's only (umask 077)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from onewindow.cli import bind_environment_set, bind_option


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
