"""What the member's yearly record (履职档案) reads from this app: the reports they wrote or
signed in the year, with adoptions and 批示, and the outcomes drawn from sessions they attended.
Fixed queries whatever the rows."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import Instruction, Outcome, PublicOpinionReport, ReportAdoption, ReportAuthor


def member_reports(member_id: int, year: int) -> list[PublicOpinionReport]:
    """Reports the member wrote or signed, submitted in ``year`` (four queries)."""
    return list(
        PublicOpinionReport.objects.filter(
            pk__in=ReportAuthor.objects.filter(member_id=member_id).values("report_id"),
            submitted_on__year=year,
        )
        .prefetch_related(
            Prefetch(
                "authors",
                queryset=ReportAuthor.objects.select_related("member").order_by("position"),
            ),
            Prefetch("adoptions", queryset=ReportAdoption.objects.order_by("adopted_on", "pk")),
            Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk")),
        )
        .order_by("submitted_on", "pk")
    )


def member_outcomes(consultation_ids: list[int], year: int) -> list[Outcome]:
    """Outcomes of ``year`` drawn from the given sessions (those the member attended; two
    queries)."""
    if not consultation_ids:
        return []
    return list(
        Outcome.objects.filter(consultations__in=consultation_ids, date__year=year)
        .distinct()
        .select_related("recipient_unit")
        .prefetch_related(
            Prefetch("instructions", queryset=Instruction.objects.order_by("given_on", "pk"))
        )
        .order_by("date", "pk")
    )
