"""社情民意 writes: numbering, sending, adoptions and 批示, and the refusals (in Chinese, nothing
stored)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members.models import Duty, DutyKind, DutyStatus
from proposals import services
from proposals.models import Instruction, PublicOpinionReport, ReportAdoption, ReportStatus
from tests.factories import MemberFactory

from .helpers import sent, submitted

pytestmark = pytest.mark.django_db


def test_member_submits_with_cosigners_in_order(world, member_user):
    colleague = MemberFactory(name="周洁", area=world.district_a)
    report = submitted(member_user, world.member_a, cosigners=[colleague])
    assert report.status == ReportStatus.SUBMITTED
    assert report.area == world.district_a
    assert [(a.member.name, a.position) for a in report.authors.order_by("position")] == [
        ("李明", 1),
        ("周洁", 2),
    ]
    # Nothing counts before the office takes it in.
    assert not Duty.objects.filter(kind=DutyKind.OPINION).exists()


def test_a_cosigner_from_another_committee_is_refused(world, member_user):
    with pytest.raises(ValidationError) as error:
        submitted(member_user, world.member_a, cosigners=[world.member_b])
    assert "王芳不是本级政协委员" in error.value.message_dict["cosigners"][0]
    assert not PublicOpinionReport.objects.exists()


def test_a_member_cannot_submit_in_anothers_name(world, member_user):
    with pytest.raises(PermissionDenied):
        submitted(member_user, world.member_b)


def test_issue_number_reused_in_the_year_is_refused(world, member_user, office_staff):
    first = submitted(member_user, world.member_a, title="第一篇")
    second = submitted(member_user, world.member_a, title="第二篇")
    year = timezone.localdate().year
    services.report_set_issue(actor=office_staff, report=first, issue_year=year, issue_number=12)
    with pytest.raises(ValidationError) as error:
        services.report_set_issue(
            actor=office_staff, report=second, issue_year=year, issue_number=12
        )
    assert error.value.message_dict["issue_number"] == [
        f"{year}年第12期已编发《第一篇》,请换一个期号。"
    ]
    second.refresh_from_db()
    assert (second.issue_number, second.status) == (None, ReportStatus.SUBMITTED)
    # The same number the year before, or in another committee, is another issue.
    services.report_set_issue(
        actor=office_staff, report=second, issue_year=year - 1, issue_number=12
    )


def test_another_committees_office_cannot_touch_the_report(world, member_user, other_staff):
    report = submitted(member_user, world.member_a)
    with pytest.raises(PermissionDenied):
        services.report_set_issue(actor=other_staff, report=report, issue_year=2026, issue_number=1)


def test_instruction_dated_before_sending_is_refused(world, member_user, office_staff):
    report = sent(office_staff, submitted(member_user, world.member_a), number=3)
    before = report.sent_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.report_instruction_add(
            actor=office_staff,
            report=report,
            leader="张某某 副市长",
            level="city",
            given_on=before,
            text="请市民政局研究。",
        )
    assert "批示日期不能早于报送日期" in error.value.message_dict["given_on"][0]
    assert not Instruction.objects.exists()


def test_no_instruction_or_adoption_before_the_report_is_sent(world, member_user, office_staff):
    report = submitted(member_user, world.member_a)
    with pytest.raises(ValidationError, match="尚未报送"):
        services.report_adopt(
            actor=office_staff, report=report, level="city", adopted_on=timezone.localdate()
        )
    with pytest.raises(ValidationError, match="尚未报送"):
        services.report_instruction_add(
            actor=office_staff,
            report=report,
            leader="张某某",
            level="city",
            given_on=timezone.localdate(),
            text="阅。",
        )


def test_each_level_adopts_once_and_several_instructions_are_kept(world, member_user, office_staff):
    report = sent(office_staff, submitted(member_user, world.member_a), number=5)
    today = timezone.localdate()
    services.report_adopt(actor=office_staff, report=report, level="city", adopted_on=today)
    services.report_adopt(actor=office_staff, report=report, level="province", adopted_on=today)
    with pytest.raises(ValidationError) as error:
        services.report_adopt(actor=office_staff, report=report, level="city", adopted_on=today)
    assert error.value.message_dict["level"] == ["已登记市级采用,不能重复登记。"]
    for leader in ("张某某 副市长", "刘某某 市委副书记"):
        services.report_instruction_add(
            actor=office_staff,
            report=report,
            leader=leader,
            level="city",
            given_on=today,
            text="请有关部门研究办理。",
        )
    assert sorted(ReportAdoption.objects.values_list("level", flat=True)) == ["city", "province"]
    assert report.instructions.count() == 2


def test_duties_follow_the_report(world, member_user, office_staff):
    colleague = MemberFactory(name="周洁", area=world.district_a)
    report = submitted(member_user, world.member_a, cosigners=[colleague])
    year = timezone.localdate().year
    services.report_set_issue(actor=office_staff, report=report, issue_year=year, issue_number=1)
    duties = Duty.objects.filter(kind=DutyKind.OPINION)
    assert sorted(duties.values_list("member__name", "status", "outcome")) == [
        ("周洁", DutyStatus.DONE, ""),
        ("李明", DutyStatus.DONE, ""),
    ]
    assert duties.first().note == f"《社情民意》{year}年第1期"
    services.report_reject(actor=office_staff, report=report, reason="已有同类信息")
    assert set(duties.values_list("status", flat=True)) == {DutyStatus.CANCELLED}
    with pytest.raises(ValidationError):
        services.report_reject(actor=office_staff, report=report, reason=" ")
