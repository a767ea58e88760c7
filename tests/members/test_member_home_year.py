"""The member home shows this year's session attendance and duty days, beside this year's
五个一 and points; the member file keeps the whole record, and says so."""

import datetime
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from members.models import ShiftStatus
from tests.conftest import client_for
from tests.factories import AttendanceFactory, ConsultationFactory, DutyShiftFactory

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_home_counts_this_year_and_the_file_counts_everything(world, member_user, office_staff):
    member = world.member_a
    member.attendances.all().delete()
    now = timezone.now()
    last_year = timezone.localdate().year - 1
    for status in ("present", "absent"):
        session = ConsultationFactory(venue=world.venue_a, held_at=now)
        AttendanceFactory(consultation=session, member=member, status=status)
    for day in (1, 2, 3):
        session = ConsultationFactory(
            venue=world.venue_a, held_at=datetime.datetime(last_year, 6, day, 9, tzinfo=SH)
        )
        AttendanceFactory(consultation=session, member=member, status="present")
    DutyShiftFactory(
        member=member, venue=world.venue_a, date=timezone.localdate(), status=ShiftStatus.MISSED
    )
    for day in (1, 2):
        DutyShiftFactory(
            member=member,
            venue=world.venue_a,
            date=datetime.date(last_year, 7, day),
            status=ShiftStatus.DONE,
        )

    home = client_for(member_user).get(reverse("home")).content.decode()
    assert "今年应出席协商活动 2 次,出席 1 次,出席率 50.0%" in home
    assert "今年已登记值日 1 次:已到 0 次 · 缺勤 1 次 · 到岗率 0.0%" in home

    page = client_for(office_staff).get(reverse("members:detail", args=[member.pk]))
    html = page.content.decode()
    assert "累计应出席 5 次:出席 4 次" in html
    assert "累计已登记值日 3 次:已到 2 次 · 缺勤 1 次" in html
