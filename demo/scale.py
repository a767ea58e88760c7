"""How much demo data to make. A bigger scale is a new entry here, not new code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    city: str  # key of ``places.CITIES``
    districts: int
    subdistricts: int
    communities: int
    venues: int
    members: int
    topics: int
    consultations: int
    years: int = 2  # history window, ending yesterday
    shift_history_days: int = 120  # duty rota: this many days back ...
    # ... and to the end of next month
    upcoming_consultations: int = 60  # of ``consultations``, scheduled in the next 30 days


SCALES: dict[str, Scale] = {
    "city": Scale(
        city="yichang",
        districts=10,
        subdistricts=80,
        communities=400,
        venues=300,
        members=1200,
        topics=6000,
        consultations=3000,
    ),
    # A few of everything, for the tests of the builder itself.
    "tiny": Scale(
        city="yichang",
        districts=2,
        subdistricts=4,
        communities=8,
        venues=12,
        members=40,
        topics=150,
        consultations=60,
        upcoming_consultations=4,
    ),
}
