"""``seed_province`` at a tiny scale: guards, idempotence, a valid area tree, lifecycles that
follow the rules. (The real load is timed by the command itself; see docs/BENCHMARKS.md.)"""

from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from demo.management.commands import seed_province
from platforms.models import Area, AreaLevel, Venue
from topics.lifecycle import RESOLVED_STATES, is_allowed
from topics.models import Attendance, Consultation, Referral, Topic, TopicEvent


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.django_db
def test_refuses_sqlite_and_databases_not_named_for_benchmarks(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "consult_portal")
    with pytest.raises(CommandError) as refused:
        call_command("seed_province", "--scale", "tiny")
    expected = "bench 或 province" if is_postgres() else "只支持 PostgreSQL"
    assert expected in str(refused.value)
    assert not Area.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_tiny_province_loads_once_with_a_valid_tree_and_lawful_timelines(monkeypatch):
    if not is_postgres():
        pytest.skip("seed_province loads with COPY: PostgreSQL only; CI runs this there")
    monkeypatch.setitem(connection.settings_dict, "NAME", "test_province")
    call_command("seed_province", "--scale", "tiny")

    scale = seed_province.PROVINCE_SCALES["tiny"]
    levels = Counter(Area.objects.values_list("level", flat=True))
    assert levels[AreaLevel.PROVINCE] == 1
    assert levels[AreaLevel.CITY] == scale.cities
    assert levels[AreaLevel.DISTRICT] == scale.districts
    assert seed_province.check_tree(sample=10) == []
    root = Area.objects.get(depth=1)
    assert Area.objects.get_children(root).count() == scale.cities
    assert Area.objects.get_descendant_count(root) == Area.objects.count() - 1
    assert Venue.objects.count() == scale.venues
    assert Consultation.objects.count() == scale.sessions
    assert Topic.objects.count() == scale.topics

    # Every timeline follows topics.lifecycle from 征集 to the topic's status.
    chains = defaultdict(list)
    for topic_id, from_status, to_status in (
        TopicEvent.objects.exclude(to_status="")
        .order_by("topic_id", "at", "pk")
        .values_list("topic_id", "from_status", "to_status")
    ):
        chains[topic_id].append((from_status, to_status))
    statuses = dict(Topic.objects.values_list("pk", "status"))
    for topic_id, status in statuses.items():
        chain = chains[topic_id]
        assert chain[0] == ("", "raised")
        for (_, before), (frm, to) in pairwise(chain):
            assert frm == before
            assert to == "merged" or is_allowed(frm, to), (topic_id, chain)
        assert chain[-1][1] == status

    # Older topics mostly solved and rated; some open ones overdue; attendance recorded.
    old = Topic.objects.filter(raised_on__lt=root_today_minus(400))
    solved = old.filter(status__in=RESOLVED_STATES).count()
    assert 0.6 < solved / old.count() < 0.9
    assert Topic.objects.exclude(rating="").count() > 0.5 * solved
    assert Topic.objects.overdue().exists()
    assert Referral.objects.filter(replied_on__isnull=True).exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == {
        "present",
        "absent",
        "leave",
    }

    # Run again: it notices and changes nothing.
    call_command("seed_province", "--scale", "tiny")
    assert Topic.objects.count() == scale.topics


def root_today_minus(days: int):
    import datetime

    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=days)
