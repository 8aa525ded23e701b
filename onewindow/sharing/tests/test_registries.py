"""The HTTP registry adapter: retries with back-off, then a circuit breaker that refuses at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow.sharing import registries
from onewindow.sharing.registries import HttpRegistry, RegistryUnavailable


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(registries.time, "sleep", lambda seconds: None)


def _registry(**options):
    return HttpRegistry(name="market", url="https://registry.example/market", **options)


def test_only_https_or_a_local_relay():
    with pytest.raises(ImproperlyConfigured):
        HttpRegistry(name="market", url="http://registry.example/market")
    HttpRegistry(name="market", url="http://127.0.0.1:9000/market")


def test_a_failed_call_is_retried_then_answered(monkeypatch):
    registry, calls = _registry(retries=2), []

    def post(body):
        calls.append(body)
        if len(calls) < 3:
            raise TimeoutError("slow")
        return {"found": True, "record": {"name": "某公司"}, "reference": "R1"}

    monkeypatch.setattr(registry, "_post", post)
    answer = registry.fetch(subject="91350100MA2Y0D3F9Q")
    assert (answer.found, answer.record, len(calls)) == (True, {"name": "某公司"}, 3)


def test_the_circuit_opens_after_repeated_failures_and_refuses_without_calling(monkeypatch):
    registry, calls = _registry(retries=0, breaker_failures=2, breaker_seconds=60), []

    def post(body):
        calls.append(body)
        raise OSError("connection refused")

    monkeypatch.setattr(registry, "_post", post)
    for _ in range(2):
        with pytest.raises(RegistryUnavailable):
            registry.fetch(subject="X")
    with pytest.raises(RegistryUnavailable, match="circuit open"):
        registry.fetch(subject="X")
    assert len(calls) == 2


def test_a_garbled_answer_counts_as_a_failure(monkeypatch):
    registry = _registry(retries=0)
    monkeypatch.setattr(registry, "_post", lambda body: (_ for _ in ()).throw(ValueError("no found flag")))
    with pytest.raises(RegistryUnavailable):
        registry.fetch(subject="X")


def test_the_sandbox_is_switched_off_and_on_by_command(settings, tmp_path, capsys):
    from django.core.management import call_command

    settings.DATA_DIR = tmp_path
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = []
    sandbox = registries.SandboxRegistry("population", str(tmp_path / "none.json"))
    call_command("registry_sandbox", "down", "population")
    with pytest.raises(RegistryUnavailable):
        sandbox.fetch(subject="350102199003070012")
    call_command("registry_sandbox", "up", "population")
    assert sandbox.fetch(subject="350102199003070012").found is False
    assert "none" in capsys.readouterr().out
