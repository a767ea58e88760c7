"""seed_demo at the tiny scale: rules followed, deterministic, idempotent, guarded."""

import hashlib
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from consult_portal.roles import Role, scope_for
from members.models import Member
from platforms.models import Area, Venue, VenueKind
from topics import lifecycle
from topics.lifecycle import TopicStatus
from topics.models import EventKind, Rating, Topic, TopicEvent, TopicFollowUp, TopicVisit


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", "--force", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """A checksum of the data by natural values (primary keys change across --reset)."""
    rows = [
        *Topic.objects.order_by("tracking_code").values_list(
            "tracking_code", "title", "status", "raised_on", "resolved_on", "rating", "area__name"
        ),
        *Venue.objects.order_by("code").values_list("code", "name", "kind", "area__name"),
        *Member.objects.order_by("name", "phone").values_list("name", "phone", "sector__name"),
        *TopicEvent.objects.order_by("topic__tracking_code", "at").values_list(
            "topic__tracking_code", "from_status", "to_status", "at"
        ),
        *TopicVisit.objects.order_by("topic__tracking_code", "visited_on", "rating").values_list(
            "topic__tracking_code", "visited_on", "method", "rating"
        ),
        *TopicFollowUp.objects.order_by("topic__tracking_code", "checked_on").values_list(
            "topic__tracking_code", "checked_on", "progress"
        ),
        *Topic.objects.exclude(elevated_from=None)
        .order_by("tracking_code")
        .values_list("tracking_code", "elevated_from__tracking_code"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--scale", "tiny", stdout=StringIO())
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_tiny_city_follows_the_rules_and_is_repeatable():
    seed()
    # Every state of the diagram appears; merged duplicates are not part of the demo walk.
    states = set(Topic.objects.values_list("status", flat=True))
    assert states == set(TopicStatus.values) - {TopicStatus.MERGED}
    assert set(Venue.objects.values_list("kind", flat=True)) == set(VenueKind.values)

    # Every topic's events form a valid walk from 征集 to its current state (moves are written
    # with their kind: 回访, 重新办理, 跟踪问效 and 提级 events move a topic too).
    chains = defaultdict(list)
    for topic_id, kind, src, dst in TopicEvent.objects.order_by("topic_id", "at", "pk").values_list(
        "topic_id", "kind", "from_status", "to_status"
    ):
        chains[topic_id].append((kind, src, dst))
    for topic in Topic.objects.only("pk", "status"):
        kinds = [kind for kind, _, _ in chains[topic.pk]]
        assert kinds[0] == EventKind.RAISED, (topic.pk, kinds)
        steps = [(src, dst) for kind, src, dst in chains[topic.pk] if src and dst]
        state = TopicStatus.RAISED
        for src, dst in steps:
            assert src == state and lifecycle.is_allowed(src, dst), (topic.pk, steps)
            state = dst
        assert state == topic.status

    # Demo accounts log in and land in the intended role.
    expected = {
        "admin": Role.ADMIN,
        "staff": Role.OFFICE,
        "leader": Role.LEADER,
        "member": Role.MEMBER,
    }
    for username, role in expected.items():
        # As the login form does: with the request (login throttling needs its address).
        user = authenticate(
            RequestFactory().post("/accounts/login/"), username=username, password="demo1234"
        )
        assert user is not None, username
        assert scope_for(user).role == role
    member = authenticate(
        RequestFactory().post("/accounts/login/"), username="member", password="demo1234"
    )
    assert len(scope_for(member).venue_ids) == 2

    first = fingerprint()
    assert "nothing changed" in seed()  # a second plain run is a no-op
    assert fingerprint() == first
    seed("--reset")
    assert fingerprint() == first
    # The fingerprint does tell data apart: another seed gives other data.
    seed("--reset", "--seed", "7")
    assert fingerprint() != first


@pytest.mark.django_db
def test_demo_rota_months_are_published_by_the_district_office():
    """Members already see and confirm the demo's shifts, so their months are published: the grid
    must not call them drafts. The district office published each month before it began."""
    from django.utils import timezone

    from members.models import DutyShift, RotaMonth, ShiftStatus
    from members.rota import published_month
    from platforms.models import Profile

    seed()
    shown = DutyShift.objects.exclude(status=ShiftStatus.DRAFT)
    venue_months = {
        (venue_id, day.replace(day=1)) for venue_id, day in shown.values_list("venue_id", "date")
    }
    assert venue_months
    rows = {(r.venue_id, r.month): r for r in RotaMonth.objects.select_related("venue__area")}
    assert set(rows) == venue_months
    now = timezone.now()
    for row in rows.values():
        office = Profile.objects.get(user=row.published_by)
        assert row.venue.area.path.startswith(office.area.path), row  # the venue's district
        assert office.area.depth == 2 and row.published_by.username.startswith("staff")
        assert timezone.localtime(row.published_at).date() < row.month, row
        assert row.published_at <= now, row
    venue_id, month = min(venue_months)
    venue = Venue.objects.get(pk=venue_id)
    assert published_month(venue, month.year, month.month) is not None

    # A second run with --reset gives the same rows.
    before = sorted((r.venue.code, r.month, r.published_at) for r in rows.values())
    seed("--reset")
    after = sorted(
        (r.venue.code, r.month, r.published_at) for r in RotaMonth.objects.select_related("venue")
    )
    assert after == before


@pytest.mark.django_db
def test_demo_has_duplicate_reports_flagged_as_similar():
    """Issue 16: some open problems come back from another venue of the township in other
    words, waiting in the queue with a suggested pair that the scorer itself rates similar."""
    from topics import similarity
    from topics.models import PairVerdict, TopicPair

    seed()
    pairs = list(TopicPair.objects.select_related("low__venue", "high__venue"))
    assert pairs and all(p.verdict == PairVerdict.SUGGESTED for p in pairs)
    for pair in pairs:
        original, copy = pair.low, pair.high
        assert copy.status == TopicStatus.RAISED and copy.source == "resident"
        assert copy.category_id == original.category_id
        assert copy.venue_id != original.venue_id and copy.title != original.title
        assert copy.raised_on >= original.raised_on
    above = sum(p.score >= similarity.THRESHOLD for p in pairs)
    assert above >= len(pairs) * 0.7


@pytest.mark.django_db(transaction=True)
def test_demo_city_has_reports_adoptions_instructions_and_outcomes():
    """Issue 15: believable 社情民意 and 协商成果, numbered once per committee and year, with the
    authors' duties in step, and a second run (--reset) leaves no orphan."""
    from members.models import DutyStatus
    from proposals.models import (
        Instruction,
        Outcome,
        OutcomeItem,
        PublicOpinionReport,
        ReportAdoption,
        ReportAuthor,
        ReportStatus,
    )

    seed()
    seed("--reset")
    assert PublicOpinionReport.objects.filter(status=ReportStatus.SENT).count() >= 10
    assert ReportAdoption.objects.values("level").distinct().count() >= 2
    assert Instruction.objects.filter(report__isnull=False).exists()
    assert Instruction.objects.filter(outcome__isnull=False).exists()
    assert Outcome.objects.filter(consultations__isnull=False).exists()
    assert OutcomeItem.objects.filter(done_on__isnull=False).exists()
    numbered = PublicOpinionReport.objects.exclude(issue_number=None)
    keys = list(numbered.values_list("area_id", "issue_year", "issue_number"))
    assert len(keys) == len(set(keys))
    for author in ReportAuthor.objects.select_related("report", "duty"):
        taken_in = author.report.status in (ReportStatus.EDITED, ReportStatus.SENT)
        assert (author.duty is not None and author.duty.status == DutyStatus.DONE) == taken_in
    for adoption in ReportAdoption.objects.select_related("report"):
        assert adoption.adopted_on >= adoption.report.sent_on


@pytest.mark.django_db
def test_demo_has_visits_reopened_topics_follow_ups_and_elevations():
    """The redesigned lifecycle's records: a 回访 for every rated topic (the topic keeps the
    latest one's rating), a few topics reopened after a 不满意 回访 and closed again, 跟踪问效
    checks with rising progress, and a few topics raised from a district to the city."""
    seed()
    S = TopicStatus
    rated = Topic.objects.exclude(rated_on=None)
    assert rated.exists()
    for topic in rated.prefetch_related("visits"):
        visits = list(topic.visits.all())
        assert visits, topic.pk
        assert (visits[-1].visited_on, visits[-1].rating) == (topic.rated_on, topic.rating)
        assert all(v.visited_on >= (topic.raised_on) for v in visits)
    assert not TopicVisit.objects.filter(topic__rated_on=None).exists()

    # 重新办理: a REOPEN event 已回访 → 已交办 after a 不满意 回访, then closed and visited again.
    reopened = Topic.objects.filter(events__kind=EventKind.REOPEN).distinct()
    rated_count = Topic.objects.filter(status=S.RATED).count()
    assert 1 <= reopened.count() <= rated_count * 0.2
    for topic in reopened.prefetch_related("visits", "events"):
        ratings = [v.rating for v in topic.visits.all()]
        assert ratings[0] == Rating.UNSATISFIED and ratings[-1] != Rating.UNSATISFIED
        reopen = next(e for e in topic.events.all() if e.kind == EventKind.REOPEN)
        assert (reopen.from_status, reopen.to_status) == (S.RATED, S.REFERRED)
        assert topic.status == S.RATED and topic.resolved_on > reopen.at.date()
        lead = topic.referrals.get(role="lead")
        assert reopen.at.date() < lead.replied_on <= topic.resolved_on

    # 跟踪问效: every follow_up/implemented topic has checks, progress never falls, 已落实 at 100%.
    followed = Topic.objects.filter(status__in=[S.FOLLOW_UP, S.IMPLEMENTED])
    assert followed.exists()
    for topic in followed.prefetch_related("follow_ups"):
        progress = [f.progress for f in topic.follow_ups.all()]
        assert progress and progress == sorted(progress), (topic.pk, progress)
        assert (progress[-1] == 100) == (topic.status == S.IMPLEMENTED), (topic.pk, progress)
    assert TopicFollowUp.objects.filter(progress__lt=100).exists()

    # 提级: the district's topic is 已提级, the city's new topic (待受理 in the city's queue) links
    # back to it, raised the day the district let it go.
    elevated = list(
        Topic.objects.filter(status=S.ELEVATED).select_related("elevated_to__area", "area")
    )
    assert 1 <= len(elevated) <= Topic.objects.count() * 0.1
    for original in elevated:
        copy = original.elevated_to
        assert copy.area.depth == 1 and original.area.depth > 1
        assert copy.title == original.title and copy.category_id == original.category_id
        assert copy.raised_on >= original.raised_on
        event = original.events.get(kind=EventKind.ELEVATE)
        assert (event.from_status, event.to_status) == (S.ACCEPTED, S.ELEVATED)
        assert copy.tracking_code in event.note
    seed("--reset")  # the PROTECT link from the city's topic does not stop a reset
    assert Topic.objects.filter(status=S.ELEVATED).count() == len(elevated)
    assert Topic.objects.exclude(elevated_from=None).count() == len(elevated)
