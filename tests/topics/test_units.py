"""承办单位 (issue 14): unit kinds, which units staff may refer to (their area, below it and every
area above it, never another district's), and deadlines in working days."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from consult_portal.models import CalendarDay
from topics.lifecycle import TopicStatus
from topics.models import Department, DepartmentKind, Referral, Topic, TopicEvent
from topics.services.topic_actions import topic_refer

from ..conftest import client_for
from ..factories import DepartmentFactory

DAY = datetime.timedelta(days=1)


def accepted(topic):
    Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.ACCEPTED)
    topic.refresh_from_db()
    return topic


@pytest.fixture
def units(world):
    """A city unit, district A's and B's units, a subdistrict unit of A, a stopped one."""
    return {
        "city": DepartmentFactory(
            name="宜昌市住房和城乡建设局", area=world.city, kind=DepartmentKind.GOVERNMENT
        ),
        "gas": DepartmentFactory(
            name="宜昌市燃气集团", area=world.city, kind=DepartmentKind.UTILITY
        ),
        "a": world.department_a,
        "sub_a": DepartmentFactory(
            name="桃花岭物业公司", area=world.subdistrict_a, kind=DepartmentKind.PROPERTY
        ),
        "b": DepartmentFactory(name="伍家岗区住建局", area=world.district_b),
        "stopped": DepartmentFactory(name="西陵区旧局", area=world.district_a, is_active=False),
    }


def test_district_staff_refer_to_their_area_below_and_above_never_another_district(
    world, office_staff, other_staff, leader, units
):
    names = set(Department.objects.referable_by(office_staff).values_list("name", flat=True))
    assert names == {"宜昌市住房和城乡建设局", "宜昌市燃气集团", "西陵区住建局", "桃花岭物业公司"}
    names_b = set(Department.objects.referable_by(other_staff).values_list("name", flat=True))
    assert names_b == {"宜昌市住房和城乡建设局", "宜昌市燃气集团", "伍家岗区住建局"}
    # The city's leadership sees the whole city; nobody above it.
    assert Department.objects.visible_to(leader).count() == 6


def test_refer_form_offers_exactly_the_referable_units(world, office_staff, units):
    topic = accepted(world.topic_a)
    page = client_for(office_staff).get(reverse("topics:detail", args=[topic.pk]))
    form = page.context["refer_form"]
    offered = {u.name for u in form.fields["lead"].queryset}
    assert offered == {"宜昌市住房和城乡建设局", "宜昌市燃气集团", "西陵区住建局", "桃花岭物业公司"}
    assert "宜昌市住房和城乡建设局(宜昌市)" in page.content.decode()


def test_a_city_unit_for_a_district_topic(world, office_staff, units):
    topic = accepted(world.topic_a)
    topic_refer(actor=office_staff, topic=topic, lead=units["city"], assisting=[units["a"]])
    assert set(Referral.objects.filter(topic=topic).values_list("department__name", flat=True)) == {
        "宜昌市住房和城乡建设局",
        "西陵区住建局",
    }


def test_forged_post_with_another_districts_unit_is_refused_in_chinese(world, office_staff, units):
    topic = accepted(world.topic_a)
    response = client_for(office_staff).post(
        reverse("topics:refer", args=[topic.pk]),
        {"from": TopicStatus.ACCEPTED, "lead": units["b"].pk, "workdays": "10"},
    )
    assert response.status_code == 400
    assert "只能交办本区划及上级区划在用的承办单位" in response.content.decode()
    assert not Referral.objects.exists() and not TopicEvent.objects.exists()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ACCEPTED


@pytest.mark.parametrize("field", ["lead", "assisting"])
def test_forged_assisting_or_stopped_unit_refused(world, office_staff, units, field):
    topic = accepted(world.topic_a)
    data = {"from": TopicStatus.ACCEPTED, "lead": units["a"].pk, "workdays": "10"}
    data[field] = units["stopped"].pk
    response = client_for(office_staff).post(reverse("topics:refer", args=[topic.pk]), data)
    assert response.status_code == 400
    assert "只能交办本区划及上级区划在用的承办单位" in response.content.decode()
    assert not Referral.objects.exists()


# --- deadlines in working days ---------------------------------------------------------------


def test_workdays_skip_the_national_day_holiday(world, office_staff, units, monkeypatch):
    """Referred on Friday 2025-09-26 with 5 working days: Sun 28 Sep is a 调休 working day
    (1), Mon 29 (2), Tue 30 (3), 1–8 Oct are the holiday, Sat 11 Oct is a 调休 working day:
    Thu 9 (4), Fri 10 (5) → due 2025-10-10."""
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2025, 9, 26))
    topic = accepted(world.topic_a)
    Topic.objects.filter(pk=topic.pk).update(raised_on=datetime.date(2025, 9, 1))
    event = topic_refer(actor=office_staff, topic=topic, lead=units["a"], workdays_count=5)
    assert Referral.objects.get(topic=topic).deadline == datetime.date(2025, 10, 10)
    assert "办理期限:2025-10-10(5个工作日)" in event.note


@override_settings(REFERRAL_WORKDAYS=3)
def test_default_deadline_is_the_setting_in_working_days_with_office_entries(
    world, office_staff, units, monkeypatch
):
    """2027 is beyond the package: weekdays, plus the office's own entry (a holiday Tue)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2027, 3, 5))  # Friday
    CalendarDay.objects.create(day=datetime.date(2027, 3, 9), is_workday=False)
    topic = accepted(world.topic_a)
    Topic.objects.filter(pk=topic.pk).update(raised_on=datetime.date(2027, 3, 1))
    topic_refer(actor=office_staff, topic=topic, lead=units["a"])
    # Mon 8 (1), Tue 9 holiday, Wed 10 (2), Thu 11 (3).
    assert Referral.objects.get(topic=topic).deadline == datetime.date(2027, 3, 11)


def test_a_date_wins_over_working_days(world, office_staff, units):
    topic = accepted(world.topic_a)
    day = timezone.localdate() + 40 * DAY
    client_for(office_staff).post(
        reverse("topics:refer", args=[topic.pk]),
        {"from": TopicStatus.ACCEPTED, "lead": units["a"].pk, "workdays": "10", "deadline": day},
    )
    assert Referral.objects.get(topic=topic).deadline == day


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "2020-01-02"}, "办理期限不能早于今天。"),
        ({"workdays": "0"}, "办理时限应为 1 至 250 个工作日。"),
        ({"workdays": "400"}, "办理时限应为 1 至 250 个工作日。"),
    ],
)
def test_bad_deadline_is_refused_in_chinese_and_kept(world, office_staff, units, data, message):
    topic = accepted(world.topic_a)
    post = {"from": TopicStatus.ACCEPTED, "lead": units["a"].pk, "note": "请抓紧", **data}
    response = client_for(office_staff).post(reverse("topics:refer", args=[topic.pk]), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "请抓紧" in body
    assert not Referral.objects.exists() and not TopicEvent.objects.exists()


def test_unit_kind_on_list_and_export(world, office_staff, units):
    client = client_for(office_staff)
    page = client.get(reverse("topics:department_list"), {"kind": DepartmentKind.UTILITY})
    names = [d.name for d in page.context["departments"]]
    assert names == ["宜昌市燃气集团"]
    assert "公用事业(供水/供电/燃气)" in page.content.decode()


def test_city_unit_counts_only_the_referrals_the_district_sees(
    world, office_staff, other_staff, units
):
    topic_refer(actor=office_staff, topic=accepted(world.topic_a), lead=units["city"])
    topic_refer(actor=other_staff, topic=accepted(world.topic_b), lead=units["city"])
    page = client_for(office_staff).get(reverse("topics:department_list"))
    city = next(d for d in page.context["departments"] if d.pk == units["city"].pk)
    assert (city.referral_count, city.open_count) == (1, 1)
