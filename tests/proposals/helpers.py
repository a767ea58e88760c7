"""Building reports through the services, as the office and members do."""

from __future__ import annotations

from django.utils import timezone

from consult_portal.roles import scope_for
from proposals import services


def submitted(user, member, *, title="小区门口路灯不亮", cosigners=()):
    if hasattr(user, "_consult_scope"):
        del user._consult_scope
    scope_for(user)
    return services.report_submit(
        actor=user, member=member, title=title, body="情况与建议。", cosigners=list(cosigners)
    )


def sent(staff, report, *, number, year=None):
    today = timezone.localdate()
    services.report_set_issue(
        actor=staff, report=report, issue_year=year or today.year, issue_number=number
    )
    return services.report_send(actor=staff, report=report, sent_on=today, sent_to="市政协办公室")
