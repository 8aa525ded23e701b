"""``onewindow cluster``: its files, configuration and process handling (the engines themselves run in the
failure suite, ``scripts/failure-suite``)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from onewindow.ops.cluster.engines import Cluster, render
from onewindow.ops.cluster.layout import ClusterLayout
from onewindow.ops.cluster.processes import pid_alive, pid_read, spawn


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_cluster_files_are_private(tmp_path):
    layout = ClusterLayout(root=tmp_path / "cluster")
    Cluster(layout)._directories()
    layout.database_password()
    layout.secret_key()
    assert _mode(layout.root) in {0o700, 0o711}
    for directory in (layout.run_dir, layout.log_dir, layout.secrets_dir, layout.app_data_dir, layout.pg_dir):
        assert _mode(directory) == 0o700
    for secret in layout.secrets_dir.iterdir():
        assert _mode(secret) == 0o600


def test_app_processes_share_secrets_and_go_through_pgbouncer(tmp_path):
    layout = ClusterLayout(root=tmp_path)
    env = layout.app_environment()
    assert env["DATABASE_URL"].endswith(f":{layout.pgbouncer_port}/onewindow")
    assert env["DATABASE_POOLER"] == "pgbouncer"
    assert env["DATABASE_REPLICA_URL"].endswith(f":{layout.replica_port}/onewindow")
    assert env["SECRET_KEY"] == layout.app_environment()["SECRET_KEY"]
    assert env["ONEWINDOW_BEHIND_PROXY"] == "true"


def test_migrations_go_straight_to_the_primary(tmp_path):
    layout = ClusterLayout(root=tmp_path)
    env = layout.app_environment(direct=True)
    assert env["DATABASE_URL"].endswith(f":{layout.primary_port}/onewindow")
    assert env["DATABASE_POOLER"] == ""


def test_app_processes_keep_the_platform_task_lease_by_default(tmp_path):
    env = ClusterLayout(root=tmp_path).app_environment()
    assert "ONEWINDOW_TASK_LEASE_SECONDS" not in env
    assert "ONEWINDOW_WORKER_HEARTBEAT_SECONDS" not in env


def test_app_processes_get_a_shortened_task_lease_when_asked(tmp_path):
    layout = ClusterLayout(root=tmp_path, task_lease_seconds=30, worker_heartbeat_seconds=5)
    env = layout.app_environment()
    assert env["ONEWINDOW_TASK_LEASE_SECONDS"] == "30"
    assert env["ONEWINDOW_WORKER_HEARTBEAT_SECONDS"] == "5"


def test_nginx_upstream_lists_every_app_server_and_skips_a_dead_one(tmp_path):
    layout = ClusterLayout(root=tmp_path, app_servers=3)
    text = render(
        "nginx.conf",
        user="",
        nginx_dir=tmp_path,
        log_dir=tmp_path,
        app_ports=layout.app_ports(),
        nginx_port=8180,
    )
    for port in (8181, 8182, 8183):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" in text
    assert "proxy_next_upstream error timeout http_502 http_504;" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    # Without a static directory the app (whitenoise) answers for /static/: the cluster's nginx workers cannot
    # read the 0700 data directory.
    assert "location /static/" not in text


def test_nginx_serves_collected_static_files_when_given_their_directory(tmp_path):
    text = render(
        "nginx.conf", user="", nginx_dir=tmp_path, log_dir=tmp_path, app_ports=[8181], nginx_port=8180,
        static_root=tmp_path / "static",
    )  # fmt: skip
    assert f"alias {tmp_path / 'static'}/;" in text
    assert "gzip_static on;" in text


@pytest.mark.skipif(
    shutil.which("nginx") is None and not os.environ.get("CI"),
    reason="nginx is not installed (apt-get install nginx); CI installs it and never skips",
)
@pytest.mark.parametrize("serves_static", [False, True], ids=["app-serves-static", "nginx-serves-static"])
def test_generated_nginx_configuration_is_valid(tmp_path, serves_static):
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        render(
            "nginx.conf",
            user="",
            nginx_dir=tmp_path,
            log_dir=tmp_path,
            app_ports=[8181, 8182],
            nginx_port=8180,
            static_root=tmp_path / "static" if serves_static else "",
        )
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_pgbouncer_pools_by_transaction():
    text = render(
        "pgbouncer.ini",
        database="onewindow",
        primary_port=5433,
        pgbouncer_port=6433,
        pgbouncer_dir="/x",
        user="postgres",
    )
    assert "pool_mode = transaction" in text
    assert "onewindow = host=127.0.0.1 port=5433 dbname=onewindow" in text


def test_spawned_process_can_be_found_and_killed_by_its_pid_file(tmp_path):
    pid = spawn(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        pid_file=tmp_path / "sleeper.pid",
        log_file=tmp_path / "sleeper.log",
    )
    assert pid_read(tmp_path / "sleeper.pid") == pid
    assert pid_alive(pid)
    assert _mode(tmp_path / "sleeper.pid") == 0o600
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(pid)


def test_status_of_a_cluster_never_started_names_every_service_stopped(tmp_path, capsys):
    with pytest.raises(CommandError, match="not running"):
        call_command("cluster", "status", "--dir", str(tmp_path), "--app-servers", "3", "--workers", "2")
    out = capsys.readouterr().out
    for name in ("pg-primary", "pg-replica", "pgbouncer", "redis", "web-3", "worker-2", "scheduler", "nginx"):
        assert name in out
    assert "running " not in out


def test_kill_names_an_unknown_service(tmp_path):
    with pytest.raises(CommandError, match="no service"):
        call_command("cluster", "kill", "web-9", "--dir", str(tmp_path))
