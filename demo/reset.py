"""Remove what ``seed_demo`` made: everything in the demo city's area tree and the demo accounts.

Rows are deleted children-first because several foreign keys are ``PROTECT`` (sessions and topics
protect their venue, venues and members their area, referrals their department).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from members.models import Member
from platforms.models import Area, PlatformBrand, Profile, Venue
from proposals.models import Outcome, OutcomeItem, PublicOpinionReport, ReportAuthor
from topics.models import Consultation, Department, Referral, Topic

from .city import BRANDS, demo_usernames
from .places import CityData


def demo_root(city: CityData) -> Area | None:
    return Area.objects.filter(code=city.code, depth=1).first()


def delete_demo_data(city: CityData) -> bool:
    """Delete the demo city and the demo accounts; return whether a demo city was found.

    Call inside ``transaction.atomic()``. Rows that others added inside the demo city (a topic
    entered while trying the portal) go with it: the city and everything in it is demo data.
    """
    root = demo_root(city)
    get_user_model().objects.filter(username__in=demo_usernames(city)).delete()
    if root is None:
        return False
    areas = Area.objects.filter(path__startswith=root.path)
    venues = Venue.objects.filter(area__in=areas)
    # Reports and outcomes hold PROTECT keys to members, areas and units (issue 15).
    ReportAuthor.objects.filter(member__area__in=areas).delete()
    PublicOpinionReport.objects.filter(area__in=areas).delete()
    OutcomeItem.objects.filter(unit__area__in=areas).delete()
    Outcome.objects.filter(area__in=areas).delete()
    Consultation.objects.filter(venue__in=venues).delete()
    # 提级 links a topic to its district original by a PROTECT key: the raised ones go first
    # (last link of a chain first, should a city topic ever be raised again).
    raised = Topic.objects.filter(area__in=areas, elevated_from__isnull=False)
    while raised.exists():
        raised.filter(elevated_to__isnull=True).delete()
    Topic.objects.filter(area__in=areas).delete()
    Topic.objects.filter(venue__in=venues).delete()
    Member.objects.filter(area__in=areas).delete()
    departments = Department.objects.filter(area__in=areas)
    Referral.objects.filter(department__in=departments).delete()
    departments.delete()
    venues.delete()
    PlatformBrand.objects.filter(name__in=[b[0] for b in BRANDS], venues__isnull=True).delete()
    PlatformBrand.objects.filter(area__in=areas).update(area=None)
    Profile.objects.filter(area__in=areas).update(area=None)
    areas.delete()
    return True
