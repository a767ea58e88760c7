"""gunicorn's production settings: workers from the CPU count, a request timeout, overrides."""

import importlib

import pytest

from consult_portal import gunicorn_conf


@pytest.mark.parametrize(
    ("cpus", "override", "workers"),
    [(1, None, 3), (2, None, 5), (8, None, 17), (2, "2", 2), (0, None, 3)],
)
def test_workers_follow_the_cpu_count(cpus, override, workers):
    assert gunicorn_conf.workers_for(cpus, override) == workers


def test_defaults_and_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8002")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    conf = importlib.reload(gunicorn_conf)
    try:
        assert conf.bind == "127.0.0.1:8002"
        assert conf.workers == 5 and conf.timeout == 45
        assert conf.wsgi_app == "consult_portal.wsgi:application"
        assert conf.forwarded_allow_ips == "127.0.0.1"
    finally:
        monkeypatch.undo()
        importlib.reload(gunicorn_conf)
