"""The engines of the one-machine cluster: PostgreSQL primary and streaming replica, pgbouncer, Redis, nginx
(Debian packages), and onewindow's own app servers, task workers and scheduler.

Each engine is a :class:`Service` with a pid file, so ``onewindow cluster down`` and the failure suite can stop
or ``kill -9`` any single one. ``up`` is idempotent: it starts only what is not running, the way systemd's
``Restart=always`` brings back a killed unit.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.template import Context, Engine

from onewindow.ops.cluster.layout import (
    DATABASE_NAME,
    DATABASE_USER,
    LOOPBACK,
    ClusterLayout,
    make_private_dir,
    postgres_os_user,
    write_private,
)
from onewindow.ops.cluster.processes import (
    pid_alive,
    pid_read,
    port_open,
    run,
    spawn,
    terminate,
    wait_for_port,
    wait_for_port_closed,
)

PG_BIN = Path(os.environ.get("ONEWINDOW_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATES = Engine(dirs=[str(Path(__file__).parent / "templates")], autoescape=False)


def render(template: str, **context: object) -> str:
    return TEMPLATES.get_template(template).render(Context(context))


@dataclass
class Service:
    """One process of the cluster: how to find its pid and port, start it and stop it."""

    name: str
    kind: str
    port: int | None
    pid_file: Path
    start: Callable[[], None]
    stop: Callable[[], None] | None = None

    def pid(self) -> int | None:
        return pid_read(self.pid_file)

    def running(self) -> bool:
        return pid_alive(self.pid())

    def kill(self, sig: int = signal.SIGKILL) -> int | None:
        """Send ``sig`` (``kill -9`` by default) to the process: what the failure suite does to it."""
        pid = self.pid()
        if pid_alive(pid):
            assert pid is not None
            os.kill(pid, sig)
            return pid
        return None

    def status(self) -> dict[str, object]:
        pid = self.pid()
        return {
            "name": self.name,
            "kind": self.kind,
            "pid": pid if pid_alive(pid) else None,
            "running": pid_alive(pid),
            "port": self.port,
            "listening": port_open(self.port) if self.port else None,
        }


class Cluster:
    """The whole topology on loopback under ``layout.root``."""

    def __init__(self, layout: ClusterLayout) -> None:
        self.layout = layout
        self.pg_user = postgres_os_user()

    # --- the services, in start order ------------------------------------------------------------------
    def services(self) -> list[Service]:
        layout = self.layout
        items = [
            Service(
                "pg-primary",
                "postgresql",
                layout.primary_port,
                layout.pg_data("primary") / "postmaster.pid",
                self._primary_start,
                lambda: self._postgres_stop("primary"),
            ),
            Service(
                "pg-replica",
                "postgresql",
                layout.replica_port,
                layout.pg_data("replica") / "postmaster.pid",
                self._replica_start,
                lambda: self._postgres_stop("replica"),
            ),
            Service(
                "pgbouncer",
                "pgbouncer",
                layout.pgbouncer_port,
                layout.pgbouncer_dir / "pgbouncer.pid",
                self._pgbouncer_start,
            ),
            Service("redis", "redis", layout.redis_port, layout.redis_dir / "redis.pid", self._redis_start),
        ]
        for index, port in enumerate(layout.app_ports(), start=1):
            items.append(
                Service(
                    f"web-{index}",
                    "web",
                    port,
                    layout.pid_file(f"web-{index}"),
                    self._web_starter(index, port),
                )
            )
        for index in range(1, layout.workers + 1):
            items.append(
                Service(
                    f"worker-{index}",
                    "worker",
                    None,
                    layout.pid_file(f"worker-{index}"),
                    self._app_starter(f"worker-{index}", ["worker"]),
                )
            )
        items.append(
            Service(
                "scheduler",
                "scheduler",
                None,
                layout.pid_file("scheduler"),
                self._app_starter("scheduler", ["scheduler"]),
            )
        )
        items.append(
            Service("nginx", "nginx", layout.nginx_port, layout.nginx_dir / "nginx.pid", self._nginx_start)
        )
        return items

    def service(self, name: str) -> Service:
        for item in self.services():
            if item.name == name:
                return item
        raise KeyError(name)

    # --- up / down / status ----------------------------------------------------------------------------
    def up(self, *, demo: bool = False, say: Callable[[str], None] = print) -> None:
        # Every file the engines create (logs, pid files, sockets) is private to its owner.
        os.umask(0o077)
        self._directories()
        for item in self.services():
            if item.name == "redis":
                # The application's schema goes in once the database runs and before any app process starts.
                self._database_prepare(demo=demo, say=say)
            if item.running():
                continue
            say(f"starting {item.name}")
            item.start()

    def down(self, *, say: Callable[[str], None] = print) -> None:
        for item in reversed(self.services()):
            if not item.running():
                continue
            say(f"stopping {item.name}")
            if item.stop is not None:
                item.stop()
            else:
                terminate(item.pid())

    def status(self) -> list[dict[str, object]]:
        return [item.status() for item in self.services()]

    # --- files -----------------------------------------------------------------------------------------
    def _directories(self) -> None:
        layout = self.layout
        # When PostgreSQL and nginx's workers run as other OS users they must pass through the root to their
        # own 0700 directories: execute only (0711), never list or read.
        make_private_dir(layout.root, mode=0o711 if self.pg_user else 0o700)
        for path in (
            layout.run_dir,
            layout.log_dir,
            layout.secrets_dir,
            layout.app_data_dir,
            layout.redis_dir,
        ):
            make_private_dir(path)
        make_private_dir(layout.pg_dir, owner=self.pg_user)
        make_private_dir(layout.pgbouncer_dir, owner=self.pg_user)
        make_private_dir(layout.nginx_dir, mode=0o711 if self.pg_user else 0o700)
        make_private_dir(layout.nginx_dir / "tmp", owner=_nginx_worker_user())

    # --- PostgreSQL ------------------------------------------------------------------------------------
    def _pg_conf(self, role: str, port: int) -> None:
        data = self.layout.pg_data(role)
        write_private(
            data / "onewindow-cluster.conf",
            render("postgresql.conf", port=port, socket_dir=self.layout.pg_dir, role=role),
            owner=self.pg_user,
        )
        main_conf = data / "postgresql.conf"
        if "onewindow-cluster.conf" not in main_conf.read_text():
            with main_conf.open("a") as handle:
                handle.write("\ninclude_if_exists = 'onewindow-cluster.conf'\n")

    def _pg_ctl_start(self, role: str, port: int) -> None:
        data = self.layout.pg_data(role)
        # Written by the PostgreSQL OS user, so beside its data rather than in log/.
        log = self.layout.pg_dir / f"{role}.log"
        run(
            [str(PG_BIN / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log)],
            user=self.pg_user,
        )
        wait_for_port(port, timeout=30, what=f"PostgreSQL {role}")

    def _primary_start(self) -> None:
        layout = self.layout
        data = layout.pg_data("primary")
        if not (data / "PG_VERSION").exists():
            password_file = layout.pg_dir / "initdb-password"
            write_private(password_file, layout.database_password() + "\n", owner=self.pg_user)
            try:
                run(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        DATABASE_USER,
                        "--pwfile",
                        str(password_file),
                        "--auth-local=peer" if self.pg_user else "--auth-local=scram-sha-256",
                        "--auth-host=scram-sha-256",
                        "--encoding=UTF8",
                        "--locale=C.UTF-8",
                    ],
                    user=self.pg_user,
                )
            finally:
                password_file.unlink(missing_ok=True)
        self._pg_conf("primary", layout.primary_port)
        self._pg_ctl_start("primary", layout.primary_port)

    def _replica_start(self) -> None:
        layout = self.layout
        data = layout.pg_data("replica")
        if not (data / "PG_VERSION").exists():
            if data.exists():
                shutil.rmtree(data)
            # -R writes standby.signal and primary_conninfo: a streaming replica of the primary.
            run(
                [
                    str(PG_BIN / "pg_basebackup"),
                    "-h",
                    LOOPBACK,
                    "-p",
                    str(layout.primary_port),
                    "-U",
                    DATABASE_USER,
                    "-D",
                    str(data),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ],
                user=self.pg_user,
                env={"PGPASSWORD": layout.database_password()},
            )
        self._pg_conf("replica", layout.replica_port)
        self._pg_ctl_start("replica", layout.replica_port)

    def _postgres_stop(self, role: str) -> None:
        run(
            [str(PG_BIN / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.layout.pg_data(role))],
            user=self.pg_user,
        )

    def _database_prepare(self, *, demo: bool, say: Callable[[str], None]) -> None:
        """Create the database, migrate it directly on the primary (not through pgbouncer: migrations are
        long transactions), collect static files, and load the demo when asked; then wait until the replica
        has replayed it."""
        import psycopg

        layout = self.layout
        with psycopg.connect(
            host=LOOPBACK,
            port=layout.primary_port,
            user=DATABASE_USER,
            password=layout.database_password(),
            dbname="postgres",
            autocommit=True,
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                say(f"creating database {DATABASE_NAME}")
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        marker = layout.app_data_dir / ".prepared"
        if marker.exists() and not demo:
            return
        environment = layout.app_environment(direct=True)
        say("migrating and collecting static files")
        run([sys.executable, "-m", "onewindow.cli", "migrate", "--noinput"], env=environment)
        run([sys.executable, "-m", "onewindow.cli", "collectstatic", "--noinput"], env=environment)
        if demo:
            say("loading the demo data")
            run([sys.executable, "-m", "onewindow.cli", "demo"], env=environment)
        write_private(marker, time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))

    # --- pgbouncer, Redis, nginx -----------------------------------------------------------------------
    def _pgbouncer_start(self) -> None:
        layout = self.layout
        directory = layout.pgbouncer_dir
        write_private(
            directory / "userlist.txt",
            f'"{DATABASE_USER}" "{layout.database_password()}"\n',
            owner=self.pg_user,
        )
        write_private(
            directory / "pgbouncer.ini",
            render(
                "pgbouncer.ini",
                database=DATABASE_NAME,
                primary_port=layout.primary_port,
                pgbouncer_port=layout.pgbouncer_port,
                pgbouncer_dir=directory,
                user=DATABASE_USER,
            ),
            owner=self.pg_user,
        )
        command = ["pgbouncer", "-d", str(directory / "pgbouncer.ini")]
        run(command, user=self.pg_user)
        wait_for_port(layout.pgbouncer_port, timeout=15, what="pgbouncer")

    def _redis_start(self) -> None:
        layout = self.layout
        conf = layout.redis_dir / "redis.conf"
        write_private(
            conf,
            render(
                "redis.conf", redis_port=layout.redis_port, redis_dir=layout.redis_dir, log_dir=layout.log_dir
            ),
        )
        run(["redis-server", str(conf)])
        wait_for_port(layout.redis_port, timeout=15, what="Redis")

    def _nginx_start(self) -> None:
        layout = self.layout
        worker = _nginx_worker_user()
        conf = layout.nginx_dir / "nginx.conf"
        write_private(
            conf,
            render(
                "nginx.conf",
                user=f"{worker.pw_name} {grp.getgrgid(worker.pw_gid).gr_name}" if worker else "",
                nginx_dir=layout.nginx_dir,
                log_dir=layout.log_dir,
                app_ports=layout.app_ports(),
                nginx_port=layout.nginx_port,
            ),
        )
        run(["nginx", "-p", str(layout.nginx_dir), "-c", str(conf), "-t"])
        run(["nginx", "-p", str(layout.nginx_dir), "-c", str(conf)])
        wait_for_port(layout.nginx_port, timeout=15, what="nginx")

    # --- onewindow's own processes ---------------------------------------------------------------------
    def _web_starter(self, index: int, port: int) -> Callable[[], None]:
        def start() -> None:
            name = f"web-{index}"
            # A master killed with -9 leaves its workers holding the port for a moment: end them (they are
            # its process group) and wait for the port, or the new master could not bind.
            stale = pid_read(self.layout.pid_file(name))
            if stale:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(stale, signal.SIGTERM)
            wait_for_port_closed(port, timeout=30, what=f"{name}'s old workers")
            spawn(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "onewindow.wsgi",
                    "--bind",
                    f"{LOOPBACK}:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "10",
                    "--access-logfile",
                    "-",
                    "--name",
                    f"onewindow-{name}",
                ],
                pid_file=self.layout.pid_file(name),
                log_file=self.layout.log_file(name),
                env=self._metrics_environment(name),
            )
            wait_for_port(port, timeout=60, what=name)

        return start

    def _app_starter(self, name: str, arguments: list[str]) -> Callable[[], None]:
        def start() -> None:
            spawn(
                [sys.executable, "-m", "onewindow.cli", *arguments],
                pid_file=self.layout.pid_file(name),
                log_file=self.layout.log_file(name),
                env=self.layout.app_environment(),
            )

        return start

    def _metrics_environment(self, name: str) -> dict[str, str]:
        """Each app server's gunicorn workers share one Prometheus multiprocess directory, emptied at start
        (prometheus_client's rule: stale files of dead processes would count twice)."""
        directory = self.layout.run_dir / f"metrics-{name}"
        if directory.exists():
            shutil.rmtree(directory)
        make_private_dir(directory)
        return {**self.layout.app_environment(), "PROMETHEUS_MULTIPROC_DIR": str(directory)}


def _nginx_worker_user() -> pwd.struct_passwd | None:
    """nginx started as root runs its workers as ``nobody`` (they only need their temp directory)."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("nobody")
