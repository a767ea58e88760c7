"""Dashboards, lists and exports read from a replica; a browser that just wrote reads the primary.

The PostgreSQL test stands a **second database** in for the replica: a copy of the test database
(``CREATE DATABASE … TEMPLATE``) taken after the data is made, which then never changes — a
replica infinitely far behind. Streaming replication is not set up here (one PostgreSQL cluster
shared by everyone on this machine); the copy shows the same thing more sharply: a row written to
the primary after the copy is missing from every page that reads the replica, and present on
every page that reads the primary."""

from __future__ import annotations

import psycopg2
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult_portal.replica import (
    PIN_COOKIE,
    REPLICA,
    PinToPrimaryMiddleware,
    ReplicaRouter,
    reading_from_replica,
)
from members.models import Member
from topics.models import Topic

from .conftest import build_world, client_for
from .factories import TopicFactory, make_staff


@pytest.fixture
def fake_replica_alias():
    """A ``replica`` entry in the connection settings (never connected to): enough for the
    router's and the middleware's decisions."""
    connections.settings[REPLICA] = {**connections.settings[DEFAULT_DB_ALIAS]}
    yield
    del connections.settings[REPLICA]


def test_without_a_replica_everything_reads_the_primary():
    router = ReplicaRouter()
    with reading_from_replica():
        assert router.db_for_read(Topic) == DEFAULT_DB_ALIAS


def test_the_router_reads_the_replica_only_inside_the_block(fake_replica_alias):
    router = ReplicaRouter()
    assert router.db_for_read(Topic) == DEFAULT_DB_ALIAS
    with reading_from_replica():
        assert router.db_for_read(Topic) == REPLICA
        assert router.db_for_read(Member) == REPLICA
        # Writes never go to the replica, even for a row read from it.
        assert router.db_for_write(Topic) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPLICA, "topics") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "topics") is True


def test_sessions_are_always_read_from_the_primary(fake_replica_alias):
    from django.contrib.sessions.models import Session

    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Session) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize(("method", "pinned"), [("post", True), ("get", False), ("head", False)])
def test_a_request_that_may_write_pins_the_browser(fake_replica_alias, settings, method, pinned):
    settings.DATABASE_REPLICA_PIN_SECONDS = 7
    request = getattr(RequestFactory(), method)("/anything/")
    response = PinToPrimaryMiddleware(lambda r: HttpResponse())(request)
    assert (PIN_COOKIE in response.cookies) is pinned
    if pinned:
        assert response.cookies[PIN_COOKIE]["max-age"] == 7
        assert response.cookies[PIN_COOKIE]["httponly"]


def test_no_pin_cookie_without_a_replica():
    response = PinToPrimaryMiddleware(lambda r: HttpResponse())(RequestFactory().post("/x/"))
    assert PIN_COOKIE not in response.cookies


# --- a second PostgreSQL database standing in for the replica ------------------------------


def _admin_connection():
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("database", None)
    params.pop("options", None)
    raw = psycopg2.connect(**params)
    raw.autocommit = True
    return raw


@pytest.fixture
def stale_replica():
    """Copy the test database as it is now into ``<name>_replica`` and add it as ``replica``."""
    name = connections.settings[DEFAULT_DB_ALIAS]["NAME"]
    replica_name = f"{name}_replica"[:63]
    connections.close_all()  # a template must have no other connection
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{replica_name}"')
        cursor.execute(f'CREATE DATABASE "{replica_name}" TEMPLATE "{name}"')
    connections.settings[REPLICA] = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": replica_name}
    # Connect now: Django's test case refuses to open a connection to an alias the test did not
    # declare, and the alias cannot be declared before the database exists.
    connections[REPLICA].connect()
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{replica_name}"')
        admin.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lists_dashboards_and_exports_read_the_replica_until_the_user_writes(request):
    if connection.vendor != "postgresql":
        pytest.skip("the stand-in replica is a PostgreSQL database copied from a template")
    world = build_world()
    staff = make_staff(world.district_a, "staff_replica")
    client = client_for(staff)  # signed in before the copy: the session is on both
    request.getfixturevalue("stale_replica")

    late = TopicFactory(title="复制之后登记的议题", area=world.community_a, venue=world.venue_a)

    topics_url = reverse("topics:list")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = client.get(topics_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert world.topic_a.title in body and late.title not in body  # read from the replica
    assert len(on_replica.captured_queries) > 0

    export = client.get(topics_url, {"export": "csv"})
    csv_text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert world.topic_a.title in csv_text and late.title not in csv_text

    dashboard = reverse("dashboards:overview", kwargs={"node": f"a{world.district_a.pk}"})
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get(dashboard).status_code == 200
    assert len(on_replica.captured_queries) > 0

    # The topic page is not a list: it reads the primary (it is where a write leads).
    assert client.get(reverse("topics:detail", args=[late.pk])).status_code == 200

    # The user writes: a note on a topic. From then on, for a few seconds, the primary.
    wrote = client.post(reverse("topics:comment", args=[world.topic_a.pk]), {"note": "已电话联系"})
    assert wrote.status_code == 302
    assert wrote.cookies[PIN_COOKIE]["max-age"] == 10
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = client.get(topics_url)
        export = client.get(topics_url, {"export": "csv"})
        csv_text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert late.title in page.content.decode() and late.title in csv_text
    assert on_replica.captured_queries == []
    assert Topic.objects.using(REPLICA).filter(pk=late.pk).exists() is False
