"""Calendar feeds (issue 5, item 4): private, revocable iCal URLs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.models import CalendarFeed

from .conftest import client_for
from .factories import ConsultationFactory, DutyShiftFactory

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]


def _events(response) -> dict[str, object]:
    cal = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _feed_for(user) -> CalendarFeed:
    client = client_for(user)
    response = client.post(reverse("calendar:regenerate"))
    assert response.status_code == 302
    return CalendarFeed.objects.get(user=user, revoked_at__isnull=True)


@pytest.fixture
def shifts(world):
    mine = DutyShiftFactory(member=world.member_a, venue=world.venue_a, slot="am", note="带好台账")
    theirs = DutyShiftFactory(member=world.member_b, venue=world.venue_b)
    return mine, theirs


def test_member_feed_lists_own_shifts_and_sessions_only(world, member_user, shifts):
    mine, _theirs = shifts
    feed = _feed_for(member_user)

    response = client_for(member_user).get(reverse("calendar:ics", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)

    assert set(events) == {
        f"shift-{mine.pk}@consult-portal",
        f"session-{world.session_a.pk}@consult-portal",
    }
    shift = events[f"shift-{mine.pk}@consult-portal"]
    start = shift.decoded("DTSTART")
    assert start.date() == mine.date and (start.hour, start.minute) == (8, 30)
    assert start.utcoffset() == datetime.timedelta(hours=8)
    assert "驻站值日" in str(shift["SUMMARY"]) and world.venue_a.name in str(shift["SUMMARY"])
    assert str(shift["LOCATION"]) == world.venue_a.address
    session = events[f"session-{world.session_a.pk}@consult-portal"]
    assert session.decoded("DTSTART") == world.session_a.held_at.replace(microsecond=0)
    assert world.session_a.title in str(session["SUMMARY"])


def test_uid_is_stable_across_fetches(world, member_user, shifts):
    feed = _feed_for(member_user)
    url = reverse("calendar:ics", args=[feed.token])
    first = _events(client_for(member_user).get(url))
    second = _events(client_for(member_user).get(url))
    assert set(first) == set(second) and first


def test_feed_needs_no_login(world, member_user, resident):
    feed = _feed_for(member_user)
    response = resident.get(reverse("calendar:ics", args=[feed.token]))
    assert response.status_code == 200


def test_unknown_token_is_404(world, resident):
    assert resident.get(reverse("calendar:ics", args=["nope-" + "x" * 40])).status_code == 404


def test_revoked_token_is_404(world, member_user, resident):
    feed = _feed_for(member_user)
    response = client_for(member_user).post(reverse("calendar:revoke"))
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert resident.get(reverse("calendar:ics", args=[feed.token])).status_code == 404


def test_regenerate_revokes_the_old_url(world, member_user, resident):
    old = _feed_for(member_user)
    new = _feed_for(member_user)
    assert new.token != old.token
    assert resident.get(reverse("calendar:ics", args=[old.token])).status_code == 404
    assert resident.get(reverse("calendar:ics", args=[new.token])).status_code == 200
    assert CalendarFeed.objects.filter(user=member_user, revoked_at__isnull=True).count() == 1


def test_feed_stops_when_owner_loses_the_role(world, member_user, resident):
    feed = _feed_for(member_user)
    member_user.groups.clear()
    assert resident.get(reverse("calendar:ics", args=[feed.token])).status_code == 404


def test_staff_feed_lists_only_their_area_sessions(world, office_staff, resident):
    later = ConsultationFactory(
        venue=world.venue_a, held_at=timezone.now() + datetime.timedelta(days=5)
    )
    feed = _feed_for(office_staff)
    assert feed.kind == "area"
    events = _events(resident.get(reverse("calendar:ics", args=[feed.token])))
    assert set(events) == {
        f"session-{world.session_a.pk}@consult-portal",
        f"session-{later.pk}@consult-portal",
    }


def test_other_staff_feed_excludes_district_a(world, other_staff, resident):
    feed = _feed_for(other_staff)
    events = _events(resident.get(reverse("calendar:ics", args=[feed.token])))
    assert set(events) == {f"session-{world.session_b.pk}@consult-portal"}


def test_feeds_page_shows_the_url(world, member_user):
    client = client_for(member_user)
    response = client.get(reverse("calendar:feeds"))
    assert response.status_code == 200
    assert "我的日历订阅" in response.content.decode()
    feed = _feed_for(member_user)
    page = client.get(reverse("calendar:feeds")).content.decode()
    assert f"http://testserver/cal/{feed.token}.ics" in page


@pytest.mark.parametrize("name", ["calendar:regenerate", "calendar:revoke"])
@pytest.mark.parametrize("role", ["leader", "district_leader"])
def test_leaders_may_not_hold_a_feed(request, world, role, name):
    user = request.getfixturevalue(role)
    response = client_for(user).post(reverse(name))
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("name", ["calendar:regenerate", "calendar:revoke"])
def test_anonymous_post_goes_to_login(world, resident, name):
    response = resident.post(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_revoke_touches_only_own_feed(world, member_user, office_staff):
    theirs = _feed_for(office_staff)
    _feed_for(member_user)
    client_for(member_user).post(reverse("calendar:revoke"))
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_get_on_regenerate_is_not_allowed(world, member_user):
    assert client_for(member_user).get(reverse("calendar:regenerate")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_feed_query_count_does_not_grow(world, member_user, resident, django_assert_num_queries):
    feed = _feed_for(member_user)
    url = reverse("calendar:ics", args=[feed.token])

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert resident.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for days in range(4, 24):
        DutyShiftFactory(
            member=world.member_a,
            venue=world.venue_a,
            date=timezone.localdate() + datetime.timedelta(days=days),
        )
        ConsultationFactory(venue=world.venue_a)
    assert count() == few


FEEDS_PAGE = {
    "admin_user": 200,
    "office_staff": 200,
    "other_staff": 200,
    "member_user": 200,
    "leader": 403,
    "district_leader": 403,
}


@pytest.mark.parametrize("role", [*FEEDS_PAGE, "anonymous"])
def test_feeds_page_access(request, world, role):
    if role == "anonymous":
        response = request.getfixturevalue("resident").get(reverse("calendar:feeds"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        return
    response = client_for(request.getfixturevalue(role)).get(reverse("calendar:feeds"))
    assert response.status_code == FEEDS_PAGE[role]


def test_menu_links_to_feeds_page_for_feed_holders(world, member_user, leader):
    url = reverse("calendar:feeds")
    assert url in client_for(member_user).get(reverse("home")).content.decode()
    assert url not in client_for(leader).get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("民情恳谈会:垃圾分类推进", "民情恳谈会:垃圾分类推进"),
        ("民情恳谈会——加装电梯", "民情恳谈会——加装电梯"),
        ("垃圾分类推进", "民情恳谈会:垃圾分类推进"),
        ("关于民情恳谈会的筹备", "民情恳谈会:关于民情恳谈会的筹备"),
    ],
)
def test_session_summary_names_the_form_once(world, member_user, title, summary):
    session = ConsultationFactory(venue=world.venue_a, form="hearing", title=title)
    session.attendances.create(member=world.member_a, status="present")
    feed = _feed_for(member_user)
    events = _events(client_for(member_user).get(reverse("calendar:ics", args=[feed.token])))
    assert str(events[f"session-{session.pk}@consult-portal"]["SUMMARY"]) == summary
