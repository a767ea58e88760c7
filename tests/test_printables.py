"""Printables (issue 5, item 5): venue poster with QR code, QR image, member contact cards."""

import datetime
import re

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from platforms.printables import venue_qr_png

from .conftest import client_for
from .factories import AssignmentFactory, DutyShiftFactory, MemberFactory

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]


def _poster(user, venue):
    return client_for(user).get(reverse("platforms:venue_poster", args=[venue.pk]))


@pytest.mark.parametrize(
    "role", ["admin_user", "office_staff", "district_leader", "leader", "member_user"]
)
def test_poster_renders_for_allowed_roles(request, world, role):
    world.venue_a.opening_hours = "周一至周五 9:00-17:00"
    world.venue_a.save(update_fields=["opening_hours"])
    response = _poster(request.getfixturevalue(role), world.venue_a)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.venue_a.name in page
    assert world.venue_a.brand.name in page
    assert "周一至周五 9:00-17:00" in page
    assert "李明 · 召集人" in page  # member_a, convener at venue_a
    for label in ("有阵地", "有标识", "有制度", "有流程", "有活动", "有成果"):
        assert label in page
    assert "http://testserver/v/xl-001/" in page
    # The print layout is a static stylesheet (no inline <style> under the CSP).
    assert "<svg" in page and "css/poster.css" in page
    assert "@media print" in finders_read("css/poster.css")


def test_poster_prints_the_six_standards_the_portal_uses(world, office_staff):
    """One source of truth: the poster's 六有 are the venue page's six, same names, same order,
    and the same wording the 六有 form explains them with."""
    client = client_for(office_staff)
    page = _poster(office_staff, world.venue_a).content.decode()
    printed = re.findall(
        r'<li data-item="(\w+)"><strong>([^<]+)</strong>:([^<]+)</li>',
        re.search(r'<ul[^>]*id="poster-six".*?</ul>', page, re.S).group(0),
    )
    detail = client.get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))
    portal = [(s["key"], s["label"]) for s in detail.context["six_standards"]]
    assert [(key, label) for key, label, _text in printed] == portal
    assert [label for _key, label in portal] == [
        "有阵地", "有标识", "有制度", "有流程", "有活动", "有成果"
    ]  # fmt: skip
    form = client.get(reverse("platforms:venue_standard", args=[world.venue_a.pk]))
    explained = form.content.decode()
    for _key, label, text in printed:
        assert f'<dt class="col-sm-2">{label}</dt><dd class="col-sm-10">{text}' in explained
    assert "有场所" not in page and "有人员" not in page


@pytest.mark.parametrize("name", ["venue_poster", "venue_cards", "venue_qr"])
@pytest.mark.parametrize("role", ["office_staff", "district_leader", "member_user"])
def test_other_district_venue_is_404(request, world, role, name):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse(f"platforms:{name}", args=[world.venue_b.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["venue_poster", "venue_cards", "venue_qr"])
def test_anonymous_goes_to_login(world, resident, name):
    response = resident.get(reverse(f"platforms:{name}", args=[world.venue_a.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _svg_modules(svg: str) -> set[tuple[int, int]]:
    """Dark modules of segno's inline SVG path (relative h/m moves, one row per line)."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    dark, x, y = set(), 0.0, 0.0
    for op, value in re.findall(r"([Mmh])(-?[\d.]+(?: -?[\d.]+)?)", path):
        if op == "M":
            x, y = (float(v) for v in value.split())
        elif op == "m":
            dx, dy = (float(v) for v in value.split())
            x, y = x + dx, y + dy
        else:
            for i in range(int(float(value))):
                dark.add((int(x) + i, int(y)))
            x += float(value)
    return dark


def test_poster_qr_encodes_the_public_url(world, office_staff):
    page = _poster(office_staff, world.venue_a).content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    expected = segno.make("http://testserver/v/xl-001/", error="m")
    want = {
        (c + 2, r + 2)  # border of 2 modules
        for r, row in enumerate(expected.matrix)
        for c, bit in enumerate(row)
        if bit
    }
    assert _svg_modules(svg) == want
    other = segno.make("http://testserver/v/wjg-001/", error="m")
    assert other.matrix != expected.matrix


def test_qr_png_encodes_the_public_url(world, member_user):
    response = client_for(member_user).get(reverse("platforms:venue_qr", args=[world.venue_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response.content == venue_qr_png("http://testserver/v/xl-001/")
    assert response.content != venue_qr_png("http://testserver/v/wjg-001/")


def test_cards_page_lists_current_members_only(world, office_staff):
    AssignmentFactory(
        member=MemberFactory(name="赵敏", area=world.district_a),
        venue=world.venue_a,
        role="liaison",
    )
    AssignmentFactory(
        member=MemberFactory(name="钱进", area=world.district_a),
        venue=world.venue_a,
        started_on=timezone.localdate() - datetime.timedelta(days=400),
        ended_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    response = client_for(office_staff).get(
        reverse("platforms:venue_cards", args=[world.venue_a.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="member-card') == 2
    assert "李明" in page and "赵敏" in page and "联络员" in page and "经济界" in page
    assert "钱进" not in page
    assert "王芳" not in page  # member_b at venue_b


def test_venue_detail_links_to_printables(world, member_user):
    page = (
        client_for(member_user)
        .get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))
        .content.decode()
    )
    assert reverse("platforms:venue_poster", args=[world.venue_a.pk]) in page
    assert reverse("platforms:venue_cards", args=[world.venue_a.pk]) in page


@pytest.mark.parametrize("name", ["venue_poster", "venue_cards"])
def test_query_count_does_not_grow_with_members(world, office_staff, name):
    client = client_for(office_staff)
    url = reverse(f"platforms:{name}", args=[world.venue_a.pk])
    client.get(url)  # warm the session and scope

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    AssignmentFactory(venue=world.venue_a, member__area=world.district_a)  # 2 members
    few = count()
    for _ in range(18):  # 20 members
        AssignmentFactory(venue=world.venue_a, member__area=world.district_a)
    assert count() == few


def test_the_url_in_the_qr_code_opens_the_public_venue_page(world, office_staff, resident):
    """What a resident's phone opens after scanning the poster: the public page, no login."""
    url = "http://testserver/v/xl-001/"
    qr = client_for(office_staff).get(reverse("platforms:venue_qr", args=[world.venue_a.pk]))
    assert qr.content == venue_qr_png(url)
    response = resident.get(url)
    assert response.status_code == 200
    assert world.venue_a.name in response.content.decode()


def _cards(user, venue):
    return client_for(user).get(reverse("platforms:venue_cards", args=[venue.pk]))


def test_cards_carry_the_venue_contact_never_the_members_phone(world, office_staff):
    world.venue_a.contact_phone = "0717-6221234"
    world.venue_a.opening_hours = "周一至周五 9:00-17:00"
    world.venue_a.save(update_fields=["contact_phone", "opening_hours"])
    response = _cards(office_staff, world.venue_a)
    assert response.status_code == 200
    page = response.content.decode()
    assert "阵地电话:0717-6221234" in page
    assert "阵地开放时间:周一至周五 9:00-17:00" in page
    assert "驻站时间" not in page  # the opening hours are the venue's, not the member's duty
    digits = re.sub(r"[\s\-+]", "", page)
    assert world.member_a.phone  # 李明 has a personal phone on record ...
    assert "13911112222" not in digits  # ... and it is never printed
    # Each card carries the QR code of the venue's public page, the same code as the poster's.
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == page.count('class="member-card') == 1
    expected = segno.make("http://testserver/v/xl-001/", error="m")
    assert _svg_modules(svgs[0]) == {
        (c + 2, r + 2) for r, row in enumerate(expected.matrix) for c, bit in enumerate(row) if bit
    }


def test_cards_without_a_venue_phone_print_no_phone_line(world, office_staff):
    assert not world.venue_a.contact_phone
    page = _cards(office_staff, world.venue_a).content.decode()
    assert "阵地电话:" not in page and "13911112222" not in page
    assert "<svg" in page  # the QR code is the contact route left


def test_cards_list_each_members_next_three_published_duty_days_here(world, office_staff):
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    li_ming = world.member_a
    zhao = AssignmentFactory(
        member=MemberFactory(name="赵敏", area=world.district_a), venue=world.venue_a
    ).member
    for n, slot in ((9, "pm"), (2, "am"), (5, "day"), (30, "day")):  # 4th is left off
        DutyShiftFactory(member=li_ming, venue=world.venue_a, date=day(n), slot=slot)
    DutyShiftFactory(member=li_ming, venue=world.venue_a, date=day(-1))  # past
    DutyShiftFactory(member=li_ming, venue=world.venue_a, date=day(1), status="draft")
    DutyShiftFactory(member=li_ming, venue=world.venue_b, date=day(3))  # another venue
    DutyShiftFactory(member=zhao, venue=world.venue_a, date=day(4), slot="eve")
    # 李明's shift taken over by 赵敏 after a swap: it is 赵敏's now.
    DutyShiftFactory(
        member=zhao, venue=world.venue_a, date=day(6), swapped_from=li_ming, status="scheduled"
    )

    response = _cards(office_staff, world.venue_a)
    cards = dict(response.context["cards"])
    by_name = {a.member.name: [(s.date, s.slot) for s in shifts] for a, shifts in cards.items()}
    assert by_name == {
        "李明": [(day(2), "am"), (day(5), "day"), (day(9), "pm")],
        "赵敏": [(day(4), "eve"), (day(6), "day")],
    }
    page = response.content.decode()
    lines = re.findall(r'<p class="small mb-1 card-duty-days">(.*?)</p>', page)
    assert len(lines) == 2
    assert lines[0].startswith("近期驻站:" + day(2).strftime("%-m月%-d日"))
    assert lines[0].count("、") == 2 and "上午" in lines[0] and "下午" in lines[0]


def test_cards_without_duty_days_say_nothing_about_them(world, office_staff):
    page = _cards(office_staff, world.venue_a).content.decode()
    assert "近期驻站" not in page


def test_cards_query_count_does_not_grow_with_duty_days(world, office_staff):
    client = client_for(office_staff)
    url = reverse("platforms:venue_cards", args=[world.venue_a.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add_member():
        member = AssignmentFactory(venue=world.venue_a, member__area=world.district_a).member
        for n in (1, 2, 3, 4):
            DutyShiftFactory(
                member=member,
                venue=world.venue_a,
                date=timezone.localdate() + datetime.timedelta(days=n),
            )

    add_member()  # 2 members
    few = count()
    for _ in range(18):  # 20 members, 72 more shifts
        add_member()
    assert count() == few


def finders_read(path: str) -> str:
    from django.contrib.staticfiles import finders

    with open(finders.find(path), encoding="utf-8") as handle:
        return handle.read()
