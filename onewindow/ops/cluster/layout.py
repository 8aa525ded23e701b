"""Where the one-machine cluster keeps its files, which loopback ports it uses, and the environment its
application processes run with."""

from __future__ import annotations

import os
import pwd
import secrets
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
DATABASE_NAME = "onewindow"
DATABASE_USER = "postgres"


@dataclass(frozen=True)
class ClusterLayout:
    """The cluster under ``root``: one directory per engine, pid files in ``run/``, logs in ``log/``."""

    root: Path
    app_servers: int = 2
    workers: int = 2
    primary_port: int = 5433
    replica_port: int = 5434
    pgbouncer_port: int = 6433
    redis_port: int = 6380
    nginx_port: int = 8180
    first_app_port: int = 8181
    # The task lease and worker heartbeat (core.queue) for the cluster's processes; None keeps the platform's
    # defaults (10 min, 30 s). The failure suite shortens them so that a task left RUNNING by a worker it
    # kills -9 is reaped and retried within its drain time.
    task_lease_seconds: int | None = None
    worker_heartbeat_seconds: int | None = None

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def app_data_dir(self) -> Path:
        """``ONEWINDOW_DATA_DIR`` shared by every app process (secret key, data keys, uploads, static)."""
        return self.root / "app"

    @property
    def pg_dir(self) -> Path:
        """Owned by the PostgreSQL OS user when running as root: the data directories, sockets, pgbouncer."""
        return self.root / "pg"

    def pg_data(self, role: str) -> Path:
        return self.pg_dir / role

    @property
    def pgbouncer_dir(self) -> Path:
        return self.pg_dir / "pgbouncer"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    @property
    def nginx_dir(self) -> Path:
        return self.root / "nginx"

    def app_ports(self) -> list[int]:
        return [self.first_app_port + index for index in range(self.app_servers)]

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def database_password(self) -> str:
        """Generated once (mode 0600): the cluster's PostgreSQL superuser password, also pgbouncer's."""
        return self._secret("database_password", 24)

    def secret_key(self) -> str:
        """Every app server must share one SECRET_KEY (sessions, CSRF), as on several machines."""
        return self._secret("secret_key", 64)

    def _secret(self, name: str, size: int) -> str:
        path = self.secrets_dir / name
        if not path.exists():
            if not self.root.exists():
                make_private_dir(self.root)
            make_private_dir(self.secrets_dir)
            write_private(path, secrets.token_urlsafe(size))
        return path.read_text().strip()

    def database_url(self, port: int) -> str:
        return f"postgres://{DATABASE_USER}:{self.database_password()}@{LOOPBACK}:{port}/{DATABASE_NAME}"

    def public_url(self) -> str:
        return f"http://{LOOPBACK}:{self.nginx_port}"

    def app_environment(self, *, direct: bool = False) -> dict[str, str]:
        """The environment of the app servers, workers and scheduler: the primary through pgbouncer (or
        ``direct``ly, for migrations), the replica, Redis, behind nginx on plain HTTP (loopback only)."""
        environment = {
            "DATABASE_URL": self.database_url(self.primary_port if direct else self.pgbouncer_port),
            "DATABASE_POOLER": "" if direct else "pgbouncer",
            "DATABASE_REPLICA_URL": self.database_url(self.replica_port),
            "REDIS_URL": f"redis://{LOOPBACK}:{self.redis_port}/0",
            "ONEWINDOW_DATA_DIR": str(self.app_data_dir),
            "SECRET_KEY": self.secret_key(),
            "ONEWINDOW_HTTPS": "false",
            "ONEWINDOW_BEHIND_PROXY": "true",
            "ALLOWED_HOSTS": f"{LOOPBACK},localhost",
            "ONEWINDOW_PUBLIC_BASE_URL": self.public_url(),
            "ONEWINDOW_METRICS_ALLOW": "127.0.0.1/32,::1/128",
            "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        }
        if self.task_lease_seconds is not None:
            environment["ONEWINDOW_TASK_LEASE_SECONDS"] = str(self.task_lease_seconds)
        if self.worker_heartbeat_seconds is not None:
            environment["ONEWINDOW_WORKER_HEARTBEAT_SECONDS"] = str(self.worker_heartbeat_seconds)
        return environment


def postgres_os_user() -> pwd.struct_passwd | None:
    """initdb refuses to run as root: then PostgreSQL and pgbouncer run as the ``postgres`` OS user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "running as root needs the 'postgres' OS user (apt-get install postgresql)"
        ) from None


def make_private_dir(path: Path, *, owner: pwd.struct_passwd | None = None, mode: int = 0o700) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)


def write_private(path: Path, text: str, *, owner: pwd.struct_passwd | None = None) -> None:
    """Write a file readable only by its owner (0600), created with that mode so it is never exposed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)
