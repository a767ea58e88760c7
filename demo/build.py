"""Build the demo city in bulk, from one seeded random generator.

Every random choice comes from one ``random.Random(seed)``, and the builder never iterates over
a set or an unordered query, so the same seed gives the same rows. Dates are laid out backwards
from ``today`` (the command passes ``timezone.localdate()``): the history window ends yesterday
and the duty rota runs to the end of next month, so the "this year" and "upcoming" parts of the
dashboards have data whenever the command runs. Two runs on the same day give identical rows
(apart from primary keys, password salts and ``created_at``/``updated_at``); on another day the
scale's counts hold, while the split of topic states, events and duties shifts a little.

Rows are made in dependency order with ``bulk_create`` (which skips ``full_clean``, so every
value is generated valid: phones in the normalised form, dates that satisfy the check
constraints, lifecycle chains that ``topics.lifecycle.is_allowed`` accepts). The steps live in
``city`` (areas, accounts, brands, departments, venues), ``people`` (members, teams, duty rota,
duties) and ``work`` (topics and their timelines, sessions); this module holds what they share.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings

from members.models import DutyShift, Gender, Member, Sector
from platforms.models import Area, PlatformBrand, Venue
from topics.models import Department, TopicCategory

from . import city, names, people, practice, records, work
from .places import CITIES, CityData
from .scale import Scale
from .state import BATCH_SIZE, District, Township, VenueInfo

# Mobile prefixes of the three carriers; numbers are generated in the normalised 11-digit form.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


class DemoBuilder:
    """Makes the whole demo city; ``build()`` returns the counts of what it made.

    The attributes below are filled step by step; each step reads what earlier ones made.
    """

    def __init__(self, *, scale: Scale, seed: int, today: dt.date, duplicates: bool = True):
        self.scale = scale
        self.city: CityData = CITIES[scale.city]
        self.rng = random.Random(seed)
        self.seed = seed
        # Extra topics beyond the scale: reworded duplicates (16) and 提级 (14); bench: off.
        self.duplicates = duplicates
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.window_start = today - dt.timedelta(days=365 * scale.years)
        self.term_start = dt.date(self.window_start.year - 1, 1, 10)  # of the current committees
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.counts: Counter[str] = Counter()
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()
        # city: the area tree, accounts, brands, departments, venues
        self.root: Area
        self.districts: list[District] = []
        self.townships: list[Township] = []
        self.admin_user = self.leader_user = self.member_user = None
        self.reused_users: list[str] = []  # demo usernames that already existed
        self.brands: dict[str, PlatformBrand] = {}
        self.city_departments: list[Department] = []
        self.city_units: list[Department] = []  # utilities and the like (承办单位, not bureaus)
        self.venues: list[VenueInfo] = []
        # people: members, their teams and rota
        self.members: list[Member] = []
        self.home: dict[int, District] = {}  # id(member) → the district they live and serve in
        self.left_on: dict[int, dt.date] = {}  # id(member) → when an inactive member left
        self.demo_member: Member
        self.shifts: list[DutyShift] = []
        # work: sessions (planned before the topics that meet at them) and topics
        self.past_sessions: dict[int, list[work.SessionPlan]] = {}  # by venue pk, by day
        self.session_days: dict[int, list[dt.date]] = {}  # the same days, for bisect
        self.session_plans: list[work.SessionPlan] = []  # past and upcoming, by day
        self.topic_plans: list[work.TopicPlan] = []
        self.session_rows: list[tuple] = []  # (session, attendances, topic plans)

    def build(self) -> Counter[str]:
        """Make everything; call inside ``transaction.atomic()``."""
        self.sectors = list(Sector.objects.order_by("sort_order", "name", "pk"))
        self.categories = list(TopicCategory.objects.order_by("sort_order", "name", "pk"))
        if not self.sectors or not self.categories:
            raise ValueError("Sectors and topic categories are missing; run migrate first.")
        city.build_areas(self)
        city.build_users(self)
        city.build_brands(self)
        city.build_departments(self)
        city.build_unit_users(self)
        city.build_venues(self)
        people.build_members(self)
        people.build_assignments(self)
        people.build_duty_shifts(self)
        work.plan_sessions(self)
        work.build_topics(self)
        work.build_consultations(self)
        people.build_duties(self)
        records.build_records(self)
        # Last, from a generator of its own: the rows above stay what they were for a seed.
        if self.duplicates:
            work.build_duplicates(self)
        # 回访, 重新办理, 跟踪问效 and 提级: from a generator of its own too.
        practice.build_practice(self)
        return self.counts

    # ------------------------------------------------------------------ shared helpers

    def pick(self, weights: dict):
        """One key of ``weights``, chosen with the given weights."""
        keys = list(weights)
        return self.rng.choices(keys, [weights[k] for k in keys])[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def at(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def office_hours(self, day: dt.date) -> dt.datetime:
        return self.at(day, self.rng.randint(8, 17), self.rng.choice((0, 10, 20, 30, 40, 50)))

    def mobile(self) -> str:
        """A mobile number not handed out before in this run."""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self) -> str:
        local = f"{self.rng.randint(2, 8)}{self.rng.randrange(10**6):06d}"
        return f"{self.city.phone_area_code}-{local}"

    def poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def person(self, gender: str | None = None) -> str:
        """A full name not used before in this run (members, staff, contacts)."""
        gender = gender or self.pick({Gender.MALE: 55, Gender.FEMALE: 45})
        return names.unique_person_name(self.rng, gender, self.used_names)

    def save(self, model, objs: list, label: str) -> list:
        if model in (Member, Venue, Department):  # bulk_create skips their save()
            for obj in objs:
                obj.refresh_search_pinyin()
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self.counts[label] += len(objs)
        return objs

    def demo_member_venues(self) -> list[VenueInfo]:
        return [
            info
            for info in self.venues
            if any(a.member is self.demo_member and a.ended_on is None for a in info.roster)
        ]
