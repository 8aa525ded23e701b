"""Starting and stopping the cluster's processes by pid file, so that ``down`` and the failure suite can stop
or ``kill -9`` any single one of them."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def pid_read(pid_file: Path) -> int | None:
    """The pid in a pid file (PostgreSQL's ``postmaster.pid`` too: its first line), or None."""
    try:
        first_line = pid_file.read_text().splitlines()[0].strip()
    except (FileNotFoundError, IndexError, PermissionError):
        return None
    return int(first_line) if first_line.isdigit() else None


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is dead for every purpose here.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def wait_for_port(port: int, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not open 127.0.0.1:{port} within {timeout:.0f} s")


def wait_for_port_closed(port: int, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_open(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} still hold 127.0.0.1:{port} after {timeout:.0f} s")


def run(
    command: Sequence[str],
    *,
    user: pwd.struct_passwd | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> str:
    """Run a setup command to its end (as ``user`` when given); its output is returned, a failure raises."""
    result = subprocess.run(
        list(command),
        env=_environment(env, user),
        cwd=cwd,
        user=user.pw_uid if user else None,
        group=user.pw_gid if user else None,
        extra_groups=[] if user else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stderr or result.stdout}"
        )
    return result.stdout


def spawn(
    command: Sequence[str],
    *,
    pid_file: Path,
    log_file: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Start a long-running process in its own session (so a signal to the caller does not reach it), with
    its output in ``log_file`` (0600) and its pid in ``pid_file``."""
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as log:
        process = subprocess.Popen(
            list(command),
            env=_environment(env, None),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    fd = os.open(pid_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"{process.pid}\n")
    return process.pid


def terminate(pid: int | None, *, timeout: float = 15.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout``; True when the process was running."""
    if not pid_alive(pid):
        return False
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def _environment(extra: Mapping[str, str] | None, user: pwd.struct_passwd | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if user is not None:
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
    env.update(extra or {})
    return env
