"""/healthz for a load balancer, and the friendly 503 when the database is away."""

from django.db import OperationalError
from django.test import Client

from portal import views as portal_views

from .conftest import client_for


def test_healthz_answers_ok_before_any_host_or_session_check(db):
    response = Client(HTTP_HOST="10.0.0.5:8000").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_healthz_says_what_is_down(db, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable: cache"


def test_healthz_fails_when_the_database_does(db, monkeypatch):
    from consult_portal import health

    class Down:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", Down())
    response = Client().get("/healthz")
    assert response.status_code == 503 and b"database" in response.content


def test_a_database_outage_is_a_friendly_503_not_a_500(office_staff, monkeypatch):
    def down(self, request, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(portal_views.HomeView, "get", down)
    client = client_for(office_staff)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "系统暂时无法访问" in html and "刷新" in html


def test_other_errors_keep_the_plain_500(office_staff, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(portal_views.HomeView, "get", broken)
    client = client_for(office_staff)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500 and "服务器出错了" in response.content.decode()
