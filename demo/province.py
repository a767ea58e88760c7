"""A whole province of synthetic records for the dashboard benchmark (``manage.py seed_province``).

At ``--scale province``: 1 province, 16 cities, 128 districts, 1,280 subdistricts, 25,600
communities; 30,000 venues with "六有" records; 50,000 members with venue teams, liaison groups,
a duty rota and three years of duties (the "五个一" kinds); 300,000 sessions with attendance and
departments; 1,000,000 topics, each with the chain of lifecycle moves that led to its state
(``topics.lifecycle.TRANSITIONS``), referrals with deadlines (some overdue), ratings, a few
merged and declined.

The shape of the rows follows the demo city builder (``demo.work``: the same
lifecycle paths, step lengths and state weights by age), but the rows are made as tuples and
written with PostgreSQL ``COPY`` (``copyload``), ids assigned here, because ``bulk_create`` of
seven million rows would take hours. Every random choice comes from one ``random.Random(seed)``
and no set or unordered query is iterated, so a seed and a day give the same rows. Dates end
yesterday in Asia/Shanghai; the three-year window ends today.

Areas get their treebeard materialized paths computed here (``Area.steplen`` characters of
``Area.alphabet`` per level, ``numchild`` and ``depth`` filled), so the tree is a valid
``MP_Node`` tree: ``check_tree`` verifies a sample through treebeard itself.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Model

from consult_portal import roles
from consult_portal.pinyin import person_pinyin, search_pinyin
from members.models import Assignment, Duty, DutyShift, Member, Sector
from platforms.models import Area, AreaLevel, PlatformBrand, Profile, Venue, VenueStandardRecord
from topics.lifecycle import OPEN_STATES, TopicStatus
from topics.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Attendance,
    Consultation,
    ConsultationTopic,
    Department,
    Referral,
    Topic,
    TopicCategory,
    TopicEvent,
)

from . import names, texts
from .copyload import NULL, CopyWriter, deferred_indexes, esc, reset_sequences
from .places import COMMUNITY_STEMS, ESTATE_STEMS, ESTATE_SUFFIXES, ROADS, VILLAGE_SUFFIXES
from .work import (
    FORMS_BY_KIND,
    FORMS_DEFAULT,
    LIFECYCLE_PATHS,
    PRIORITY_WEIGHTS,
    RATING_WEIGHTS,
    SOURCE_WEIGHTS,
    STEP_DAYS,
    TARGET_WEIGHTS,
    path_weight,
)

S = TopicStatus
PROVINCE_CODE = "420000000000"
PROVINCE_NAME = "湖北省"
CITY_NAMES = (
    "武汉市",
    "黄石市",
    "十堰市",
    "宜昌市",
    "襄阳市",
    "鄂州市",
    "荆门市",
    "孝感市",
    "荆州市",
    "黄冈市",
    "咸宁市",
    "随州市",
    "恩施州",
    "仙桃市",
    "潜江市",
    "天门市",
    "神农架林区",
)
DEMO_PASSWORD = "demo1234"
MAX_TOPICS_PER_SESSION = 5
EVENING = {"neighbour", "half_seven", "village_night"}

# Models whose tables the load writes with COPY; their indexes and keys are set aside while
# it runs.
MODELS = [
    Area,
    Department,
    Venue,
    VenueStandardRecord,
    Member,
    Assignment,
    DutyShift,
    Consultation,
    Consultation.departments.through,
    Attendance,
    Topic,
    TopicEvent,
    Referral,
    ConsultationTopic,
    Duty,
]
TABLES = [model._meta.db_table for model in MODELS]


@dataclass(frozen=True)
class ProvinceScale:
    cities: int
    districts: int
    subdistricts: int  # per district, on average
    communities: int  # per subdistrict, on average
    venues: int
    members: int
    sessions: int
    topics: int
    years: int = 3


PROVINCE_SCALES: dict[str, ProvinceScale] = {
    "province": ProvinceScale(
        cities=16,
        districts=128,
        subdistricts=10,
        communities=20,
        venues=30_000,
        members=50_000,
        sessions=300_000,
        topics=1_000_000,
    ),
    # A few of everything, for the tests.
    "tiny": ProvinceScale(
        cities=2,
        districts=4,
        subdistricts=2,
        communities=3,
        venues=30,
        members=60,
        sessions=240,
        topics=800,
    ),
}


def picker(rng: random.Random, weights: dict) -> Callable[[], object]:
    """A function returning one key of ``weights`` at random, with those weights."""
    keys = list(weights)
    cumulative = list(itertools.accumulate(float(weights[k]) for k in keys))
    total, rand, find = cumulative[-1], rng.random, bisect.bisect_right

    def pick():
        return keys[min(find(cumulative, rand() * total), len(keys) - 1)]

    return pick


def spread(total: int, parts: int, low: int, high: int, rng: random.Random) -> list[int]:
    """``parts`` whole numbers in [low, high] adding up to ``total`` (pairs moved up and down)."""
    base, rest = divmod(total, parts)
    counts = [base + (1 if i < rest else 0) for i in range(parts)]
    for i in range(0, parts - 1, 2):
        shift = rng.randint(0, max(0, min(counts[i] - low, high - counts[i + 1], base // 2)))
        counts[i] -= shift
        counts[i + 1] += shift
    rng.shuffle(counts)
    return counts


@dataclass
class VenueRow:
    id: int
    area_id: int
    district: int  # index into districts
    sub: int  # index into subdistricts
    kind: str
    open_from: int  # day ordinals
    open_to: int
    active: bool
    team: list[tuple[int, int, int, str]] = field(default_factory=list)  # member, from, to, role
    session_days: list[int] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)

    def members_on(self, day: int) -> list[int]:
        return [m for m, start, end, _ in self.team if start <= day <= end]

    def convener_on(self, day: int) -> int | None:
        for m, start, end, role in self.team:
            if role == "convener" and start <= day <= end:
                return m
        return None


SOURCE_LABELS = {
    "resident": "群众反映",
    "member": "委员提出",
    "government": "党委政府交办",
    "research": "调研发现",
    "online": "网络征集",
}
MINUTES = ("00", "10", "20", "30", "40", "50")
AGREED_NOTE = "与会人员达成共识,形成协商意见。"
OPEN_NOTE = "初步协商,尚未形成共识。"
TRACKING_MULTIPLIER = 2_147_483_629  # a prime: i -> i * p + c is a bijection modulo 31**8


def tracking_code(i: int) -> str:
    """Topic ``i``'s tracking code: distinct for every id, and not in id order."""
    alphabet = TRACKING_ALPHABET
    n = (i * TRACKING_MULTIPLIER + 123_456_789) % len(alphabet) ** TRACKING_LENGTH
    out = []
    for _ in range(TRACKING_LENGTH):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


@dataclass(frozen=True)
class TopicChoices:
    """The weighted picks and texts of the topic step, made once for the whole load."""

    source: Callable[[], str]
    path: list[dict[str, Callable[[], tuple[str, ...]]]]  # by age bucket, then by source
    age_limits: list[int]
    rating: Callable[[], str]
    priority: Callable[[], str]
    step_days: dict[str, tuple[int, int]]  # status: (fewest days, how many more at most + 1)
    categories: list[tuple[int, str, texts.CategoryText]]  # id, name, texts
    urban_category: Callable[[], int]
    rural_category: Callable[[], int]
    notes: dict[str, list[str]]  # a move's note, by the status it moves to
    rating_notes: dict[str, list[str]]
    venue_weights: list[int]  # cumulative, by venue

    @classmethod
    def make(cls, rng: random.Random, categories: list, venue_rows: list[VenueRow]) -> TopicChoices:
        # One pick per topic: the path, weighted by its target's weight for the topic's age
        # and by how usual that path is for the source (``work.path_weight``).
        path_pick: list[dict[str, Callable]] = []
        for _limit, target_weights in TARGET_WEIGHTS:
            by_source = {}
            for source in SOURCE_WEIGHTS:
                weights = {}
                for target, weight in target_weights.items():
                    paths = LIFECYCLE_PATHS[target]
                    total = sum(path_weight(p, source) for p in paths)
                    for p in paths:
                        weights[p] = weight * path_weight(p, source) / total
                by_source[source] = picker(rng, weights)
            path_pick.append(by_source)
        with_texts = [
            (c.pk, c.name, texts.CATEGORY_TEXTS.get(c.name, texts.GENERIC_TEXT)) for c in categories
        ]
        return cls(
            source=picker(rng, SOURCE_WEIGHTS),
            path=path_pick,
            age_limits=[limit for limit, _ in TARGET_WEIGHTS],
            rating=picker(rng, RATING_WEIGHTS),
            priority=picker(rng, PRIORITY_WEIGHTS),
            step_days={k: (lo, hi - lo + 1) for k, (lo, hi) in STEP_DAYS.items()},
            categories=with_texts,
            urban_category=picker(
                rng, {i: (t.urban_weight or 0.2) for i, (_, _, t) in enumerate(with_texts)}
            ),
            rural_category=picker(
                rng, {i: (t.rural_weight or 0.2) for i, (_, _, t) in enumerate(with_texts)}
            ),
            notes={
                S.DECLINED: [esc(n) for n in texts.DECLINE_REASONS],
                S.UNRESOLVED: [esc(n) for n in texts.UNRESOLVED_REASONS],
                S.ESCALATED: [esc(n) for n in texts.ESCALATION_NOTES],
                S.ACCEPTED: [esc(n) for n in texts.ACCEPT_NOTES],
                S.IN_PROGRESS: [esc(n) for n in texts.PROGRESS_NOTES],
                S.FOLLOW_UP: [esc(n) for n in texts.FOLLOW_UP_NOTES],
            },
            rating_notes={k: [esc(n) for n in v] for k, v in texts.RATING_NOTES.items()},
            venue_weights=list(
                itertools.accumulate(2 if v.kind in FORMS_BY_KIND else 1 for v in venue_rows)
            ),
        )


@dataclass(slots=True)
class TopicDraft:
    """One topic while its steps run: what later steps need of earlier ones. Values that
    go into COPY lines as they are; ``NULL`` where the column is empty."""

    tid: int
    venue: VenueRow | None
    area_id: int
    sub: dict
    district: dict
    raised: int  # day ordinal
    source: str
    moves: dict[str, int] = field(default_factory=dict)  # status: day ordinal, in order
    status: str = S.RAISED
    session: tuple[int, int] | None = None  # (session id, index at the venue)
    merged_into: int | str = NULL
    merge_day: int = 0
    text: texts.CategoryText | None = None
    words: dict = field(default_factory=dict)
    title: str = ""
    summary: str = ""
    rating: str = ""
    deadline: int | str = NULL
    raiser: int | str = NULL
    lead: tuple[int, str] | None = None  # lead department of the referral: id, name
    assist: int | None = None  # assisting department id


class ProvinceLoader:
    """Writes the whole province; ``load()`` returns {table: rows} and {step: seconds}."""

    def __init__(self, cursor, *, scale: ProvinceScale, seed: int, today: dt.date, out=print):
        self.cursor = cursor
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today.toordinal()
        self.yesterday = self.today - 1
        self.window_start = self.today - 365 * scale.years
        self.out = out
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}
        base = self.window_start - 8 * 365
        self.date_base = base
        self.dates = [dt.date.fromordinal(o).isoformat() for o in range(base, self.today + 400)]
        self.started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.now = self.started_at.strftime("%Y-%m-%d %H:%M:%S+00")
        self.writers: dict[str, CopyWriter] = {}

    # ------------------------------------------------------------------ helpers
    def d(self, ordinal: int) -> str:
        return self.dates[ordinal - self.date_base]

    def rint(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def poisson(self, lam: float) -> int:
        limit, k, p, rand = math.exp(-lam), 0, 1.0, self.rng.random
        while True:
            p *= rand()
            if p <= limit:
                return k
            k += 1

    def writer(self, model: type[Model], columns: str) -> CopyWriter:
        """A COPY writer for ``model``'s table; ``columns`` are those each line carries, in
        order (the model's other columns get their defaults)."""
        w = CopyWriter(self.cursor, model, tuple(columns.split()), now=self.started_at)
        self.writers[w.table] = w
        return w

    def step(self, label: str, fn: Callable[[], None]) -> None:
        started = time.monotonic()
        fn()
        for w in self.writers.values():
            w.flush()
        self.seconds[label] = time.monotonic() - started
        made = ", ".join(f"{t} {w.count:,}" for t, w in self.writers.items() if w.count)
        self.out(f"  {label}: {self.seconds[label]:.1f} s ({made})")
        for t, w in self.writers.items():
            self.counts[t] += w.count
        self.writers = {}

    # ------------------------------------------------------------------ the load
    def load(self) -> tuple[Counter[str], dict[str, float]]:
        started = time.monotonic()
        self.reference()
        self.users_and_areas()
        rebuild: dict[str, float] = {}
        with deferred_indexes(self.cursor, TABLES, lambda table, s: rebuild.__setitem__(table, s)):
            self.step("areas", self.areas)
            self.step("departments", self.departments)
            self.step("venues + 六有 records", self.venues)
            self.step("members", self.members)
            self.step("assignments", self.assignments)
            self.step("duty shifts", self.duty_shifts)
            self.step("sessions + attendance + departments", self.sessions)
            self.step("topics + events + referrals + session links", self.topics)
            self.step("duties", self.duties)
            index_started = time.monotonic()
        self.seconds["indexes and keys"] = time.monotonic() - index_started
        for table, spent in sorted(rebuild.items(), key=lambda kv: -kv[1]):
            self.out(f"    index/keys {table}: {spent:.1f} s")
        self.out(f"  indexes and keys: {self.seconds['indexes and keys']:.1f} s")
        reset_sequences(self.cursor, TABLES)
        self.profiles()
        self.seconds["total before ANALYZE"] = time.monotonic() - started
        return self.counts, self.seconds

    # ------------------------------------------------------------------ reference data
    def reference(self) -> None:
        self.sectors = list(Sector.objects.order_by("sort_order", "name", "pk"))
        self.categories = list(TopicCategory.objects.order_by("sort_order", "name", "pk"))
        if not self.sectors or not self.categories:
            raise ValueError("Sectors and topic categories are missing; run migrate first.")

    def users_and_areas(self) -> None:
        """Plan the tree (ids and paths), then the accounts that need area ids."""
        rng, scale = self.rng, self.scale
        step, alphabet = Area.steplen, Area.alphabet

        def key(n: int) -> str:
            digits = ""
            while n:
                n, r = divmod(n, len(alphabet))
                digits = alphabet[r] + digits
            return digits.rjust(step, alphabet[0])

        ids = itertools.count(1)
        self.area_rows: list[tuple] = []  # id, path, depth, numchild, name, code, level
        self.area_names: dict[int, str] = {}
        self.cities: list[int] = []
        self.districts: list[dict] = []
        self.subs: list[dict] = []
        self.communities: list[tuple[int, int]] = []  # (area id, sub index)
        root_id = next(ids)
        self.root_id = root_id
        per_city = spread(scale.districts, scale.cities, 3, 14, rng)
        stems = list(COMMUNITY_STEMS)
        city_rows = []
        for c, n_districts in enumerate(per_city):
            city_id, city_path = next(ids), "0001" + key(c + 1)
            city_name = CITY_NAMES[c % len(CITY_NAMES)]
            self.cities.append(city_id)
            district_rows = []
            subs_per = spread(n_districts * scale.subdistricts, n_districts, 1, 30, rng)
            district_stems = rng.sample(stems, n_districts)
            for dn, n_subs in enumerate(subs_per):
                district_id, district_path = next(ids), city_path + key(dn + 1)
                urban = rng.random() < 0.4
                dname = district_stems[dn] + ("区" if urban else "县")
                district = {
                    "id": district_id,
                    "city": c,
                    "name": dname,
                    "subs": [],
                    "venues": [],
                }
                self.districts.append(district)
                comm_per = spread(n_subs * scale.communities, n_subs, 1, 60, rng)
                sub_stems = rng.sample(stems, n_subs)
                sub_rows = []
                for sn, n_comm in enumerate(comm_per):
                    sub_id, sub_path = next(ids), district_path + key(sn + 1)
                    rural = not urban and rng.random() < 0.8
                    sname = sub_stems[sn] + ("镇" if rural else "街道")
                    sub = {"id": sub_id, "district": len(self.districts) - 1, "rural": rural}
                    sub_index = len(self.subs)
                    self.subs.append(sub)
                    district["subs"].append(sub_index)
                    sub_rows.append(
                        (sub_id, sub_path, 4, n_comm, sname, NULL, AreaLevel.SUBDISTRICT)
                    )
                    self.area_names[sub_id] = sname
                    for cn in range(n_comm):
                        comm_id = next(ids)
                        village = rural and rng.random() < 0.85
                        cname = rng.choice(stems) + (
                            rng.choice(VILLAGE_SUFFIXES) if village else "社区"
                        )
                        if village and not cname.endswith("村"):
                            cname += "村"
                        self.area_names[comm_id] = cname
                        self.communities.append((comm_id, sub_index))
                        sub_rows.append(
                            (
                                comm_id,
                                sub_path + key(cn + 1),
                                5,
                                0,
                                cname,
                                NULL,
                                AreaLevel.COMMUNITY,
                            )
                        )
                code = f"42{c + 1:02d}{dn + 1:02d}000000"
                self.area_names[district_id] = dname
                district_rows.append(
                    (district_id, district_path, 3, n_subs, dname, code, AreaLevel.DISTRICT)
                )
                district_rows += sub_rows
            self.area_names[city_id] = city_name
            city_rows.append(
                (
                    city_id,
                    city_path,
                    2,
                    n_districts,
                    city_name,
                    f"42{c + 1:02d}00000000",
                    AreaLevel.CITY,
                )
            )
            city_rows += district_rows
        self.area_rows = [
            (root_id, "0001", 1, scale.cities, PROVINCE_NAME, PROVINCE_CODE, AreaLevel.PROVINCE),
            *city_rows,
        ]
        self.area_names[root_id] = PROVINCE_NAME
        self.users()

    def users(self) -> None:
        """admin, leaders at province / first city / first district, an office account per
        district (the actor of its timeline events). Profiles come after the areas exist."""
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_GROUPS}
        users = [
            User(username="admin", password=password, is_superuser=True, is_staff=True),
            User(username="leader", password=password),
            User(username="leader_city", password=password),
            User(username="leader_district", password=password),
        ]
        users += [
            User(username=f"office{i:03d}", password=password, is_staff=True)
            for i in range(1, len(self.districts) + 1)
        ]
        User.objects.bulk_create(users, batch_size=500)
        by_name = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in users])
        }
        self.user_ids = {name: u.pk for name, u in by_name.items()}
        Through = User.groups.through
        rows = [
            Through(user_id=self.user_ids[n], group_id=groups[roles.GROUP_LEADER].pk)
            for n in ("leader", "leader_city", "leader_district")
        ]
        rows += [
            Through(user_id=self.user_ids[f"office{i:03d}"], group_id=groups[roles.GROUP_OFFICE].pk)
            for i in range(1, len(self.districts) + 1)
        ]
        Through.objects.bulk_create(rows)
        for i, district in enumerate(self.districts, start=1):
            district["office"] = self.user_ids[f"office{i:03d}"]
        brands = [
            PlatformBrand(name=f"{name}·有事好商量", slogan="有事好商量,众人的事情由众人商量")
            for name in CITY_NAMES[: len(self.cities)]
        ]
        self.brand_ids = [b.pk for b in PlatformBrand.objects.bulk_create(brands)]
        if not all(self.brand_ids):
            self.brand_ids = list(
                PlatformBrand.objects.filter(name__in=[b.name for b in brands])
                .order_by("pk")
                .values_list("pk", flat=True)
            )

    def profiles(self) -> None:
        first_city = self.cities[0]
        first_district = self.districts[0]["id"]
        rows = [
            Profile(user_id=self.user_ids["leader"], area_id=self.root_id, title="省政协副主席"),
            Profile(user_id=self.user_ids["leader_city"], area_id=first_city, title="市政协副主席"),
            Profile(
                user_id=self.user_ids["leader_district"],
                area_id=first_district,
                title="区政协副主席",
            ),
        ]
        rows += [
            Profile(
                user_id=d["office"],
                area_id=d["id"],
                display_name=f"{d['name']}政协办公室",
                title="办公室干部",
            )
            for d in self.districts
        ]
        Profile.objects.bulk_create(rows)
        PlatformBrand.objects.filter(pk__in=self.brand_ids).update(area_id=self.root_id)

    # ------------------------------------------------------------------ places
    def areas(self) -> None:
        w = self.writer(Area, "id path depth numchild name code level")
        for row in self.area_rows:
            w.add("\t".join(str(int(v)) if isinstance(v, int) else v for v in row))

    def departments(self) -> None:
        w = self.writer(
            Department, "id name contact_name contact_phone is_active area_id search_pinyin"
        )
        ids = itertools.count(1)
        self.city_departments: list[list[int]] = []
        for c, city_id in enumerate(self.cities):
            depts = []
            for name in texts.CITY_DEPARTMENTS:
                i = next(ids)
                depts.append(i)
                dept = f"{CITY_NAMES[c % len(CITY_NAMES)]}{name}"
                w.add(f"{i}\t{dept}\t\t\tt\t{city_id}\t{search_pinyin(dept)}")
            self.city_departments.append(depts)
        for district in self.districts:
            district["departments"] = {}
            for name in texts.DISTRICT_DEPARTMENTS:
                i = next(ids)
                district["departments"][name] = i
                dept = f"{district['name']}{name}"
                w.add(f"{i}\t{dept}\t\t\tt\t{district['id']}\t{search_pinyin(dept)}")
            for s in district["subs"]:
                sub = self.subs[s]
                i = next(ids)
                sub["office"] = i
                suffix = "人民政府" if sub["rural"] else "办事处"
                dept = f"{self.area_names[sub['id']]}{suffix}"
                w.add(f"{i}\t{dept}\t\t\tt\t{sub['id']}\t{search_pinyin(dept)}")

    def venues(self) -> None:
        rng, scale = self.rng, self.scale
        # One 委员之家 per district, a hall or station per subdistrict, the rest in communities.
        slots: list[tuple[int, int, int, str]] = []  # area id, district, sub, level tag
        for di, district in enumerate(self.districts):
            slots.append((district["id"], di, district["subs"][0], "district"))
        for si, sub in enumerate(self.subs):
            slots.append((sub["id"], sub["district"], si, "sub"))
        remaining = scale.venues - len(slots)
        comm = self.communities
        if remaining <= len(comm):
            chosen = sorted(rng.sample(range(len(comm)), max(remaining, 0)))
        else:
            chosen = list(range(len(comm))) + sorted(
                rng.choices(range(len(comm)), k=remaining - len(comm))
            )
        for i in chosen:
            area_id, si = comm[i]
            slots.append((area_id, self.subs[si]["district"], si, "community"))
        slots = slots[: scale.venues]
        urban_kinds = picker(
            rng,
            {"station": 30, "studio": 20, "hall": 20, "parlour": 10, "business": 10, "liaison": 10},
        )
        sub_kinds = picker(rng, {"hall": 50, "station": 25, "liaison": 25})
        hours = [esc(h) for h in texts.VENUE_HOURS]
        w = self.writer(
            Venue,
            "id name code kind address latitude longitude opening_hours contact_phone "
            "established_on is_active created_at updated_at area_id brand_id search_pinyin",
        )
        r = self.writer(VenueStandardRecord, "id item met_on note photo recorded_by_id venue_id")
        record_ids = itertools.count(1)
        self.venue_rows: list[VenueRow] = []
        kind_label = {
            "home": "政协委员之家",
            "hall": "协商议事厅",
            "station": "协商驿站",
            "liaison": "委员联络站",
            "studio": "委员工作室",
            "parlour": "委员会客厅",
            "business": "商事协商议事室",
            "village": "协商议事室",
        }
        taken: set[tuple[int, str]] = set()
        for number, (area_id, di, si, tag) in enumerate(slots, start=1):
            district = self.districts[di]
            if tag == "district":
                kind = "home"
            elif tag == "sub":
                kind = sub_kinds()
            elif self.area_names[area_id].endswith("村"):
                kind = "village" if (area_id, "village") not in taken else "station"
            else:
                kind = urban_kinds()
                while (area_id, kind) in taken:
                    kind = urban_kinds()
            taken.add((area_id, kind))
            place = self.area_names[area_id]
            if rng.random() < 0.88:
                established = self.rint(self.today - 365 * 6, self.window_start - 30)
            else:
                established = self.rint(self.window_start, self.today - 60)
            active = rng.random() < 0.97
            open_from = established + 15
            open_to = self.yesterday if active else self.yesterday - self.rint(30, 200)
            open_to = max(open_to, open_from + 30)
            lat = f"{29.0 + rng.random() * 4:.6f}"
            lon = f"{108.5 + rng.random() * 7:.6f}"
            brand = self.brand_ids[district["city"]] if rng.random() < 0.7 else NULL
            address = f"{district['name']}{place}{rng.choice(ROADS)}{self.rint(1, 199)}号"
            w.add(
                f"{number}\t{place}{kind_label[kind]}\tp{number:05d}\t{kind}\t{address}\t{lat}\t"
                f"{lon}\t{rng.choice(hours)}\t\t{self.d(established)}\t{'t' if active else 'f'}\t"
                f"{self.now}\t{self.now}\t{area_id}\t{brand}\t"
                f"{search_pinyin(f'{place}{kind_label[kind]}')}"
            )
            row = VenueRow(number, area_id, di, si, kind, open_from, open_to, active)
            self.venue_rows.append(row)
            district["venues"].append(number)
            roll = rng.random()
            items = ["site", "signage", "rules", "procedure"]
            if roll < 0.05:
                items = []
            elif roll < 0.15:
                items = rng.sample(items, self.rint(1, 3))
            for item in items:
                met = min(established + self.rint(0, 120), self.yesterday)
                note = texts.STANDARD_NOTES[item].format(n=self.rint(4, 20))
                r.add(
                    f"{next(record_ids)}\t{item}\t{self.d(met)}\t{note}\t\t"
                    f"{district['office']}\t{number}"
                )

    # ------------------------------------------------------------------ people
    def members(self) -> None:
        rng, scale = self.rng, self.scale
        weights = [len(d["venues"]) for d in self.districts]
        cum = list(itertools.accumulate(weights))
        sector_pick = picker(rng, {s.pk: 1 + (s.pk % 5) for s in self.sectors})
        status_pick = picker(
            rng,
            {
                "cpc": 45,
                "masses": 20,
                "independent": 10,
                "cdl": 5,
                "cndca": 5,
                "capd": 4,
                "cpwdp": 4,
                "jss": 3,
                "rcck": 2,
                "czgp": 2,
            },
        )
        committees = [c for c in texts.SPECIAL_COMMITTEES]
        themes = texts.DUTY_THEMES
        w = self.writer(
            Member,
            "id name gender ethnicity birth_year political_status committee_level term "
            "special_committee work_unit title phone focus_areas bio is_active created_at "
            "updated_at area_id user_id sector_id unavailable_weekdays search_pinyin",
        )
        self.member_home: list[int] = [0]  # by member id: district index (index 0 unused)
        self.member_left: dict[int, int] = {}
        self.member_active: list[bool] = [False]
        for mid in range(1, scale.members + 1):
            di = bisect.bisect_right(cum, rng.random() * cum[-1])
            di = min(di, len(self.districts) - 1)
            district = self.districts[di]
            roll = rng.random()
            if roll < 0.03:
                level, area, term = "province", self.root_id, 13
            elif roll < 0.2:
                level, area, term = "city", self.cities[district["city"]], 7
            else:
                level, area, term = "district", district["id"], 10
            gender = "F" if rng.random() >= 0.62 else "M"
            active = rng.random() >= 0.03
            birth = dt.date.fromordinal(self.today).year - self.rint(32, 66)
            name = names.person_name(rng, gender)
            phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            committee = rng.choice(committees) if rng.random() < 0.85 else ""
            focus = "、".join(rng.sample(themes, 2))
            w.add(
                f"{mid}\t{name}\t{gender}\t汉族\t{birth}\t{status_pick()}\t{level}\t{term}\t"
                f"{committee}\t{district['name']}政协\t委员\t{phone}\t{focus}\t\t"
                f"{'t' if active else 'f'}\t{self.now}\t{self.now}\t{area}\t{NULL}\t"
                f"{sector_pick()}\t\t{person_pinyin(name)}"
            )
            self.member_home.append(di)
            self.member_active.append(active)
            if not active:
                self.member_left[mid] = self.rint(self.window_start, self.yesterday)

    def assignments(self) -> None:
        """Venue teams from the members living in the venue's district (one convener, maybe a
        liaison, a quarter replace one member), and most members in a township liaison group."""
        rng = self.rng
        pools: list[list[int]] = [[] for _ in self.districts]
        for mid in range(1, len(self.member_home)):
            if self.member_active[mid]:
                pools[self.member_home[mid]].append(mid)
        queues: list[list[int]] = [[] for _ in self.districts]

        def take(di: int, count: int, exclude: list[int]) -> list[int]:
            chosen: list[int] = []
            pool = pools[di]
            for _ in range(count * 4 + len(pool)):
                if len(chosen) == count or not pool:
                    break
                if not queues[di]:
                    queues[di] = list(pool)
                    rng.shuffle(queues[di])
                m = queues[di].pop()
                if m not in chosen and m not in exclude:
                    chosen.append(m)
            return chosen

        w = self.writer(Assignment, "id role started_on ended_on area_id member_id venue_id")
        ids = itertools.count(1)
        size_pick = picker(rng, {2: 10, 3: 25, 4: 30, 5: 20, 6: 10, 7: 5})
        far = 10**7
        for v in self.venue_rows:
            team = take(v.district, size_pick(), [])
            start = v.open_from - 15 + self.rint(0, 14)
            for index, m in enumerate(team):
                role = (
                    "convener"
                    if index == 0
                    else "liaison"
                    if index == 1 and len(team) >= 3 and rng.random() < 0.6
                    else "member"
                )
                v.team.append((m, start, far, role))
            span = v.open_to - start - 180
            if len(team) >= 3 and span > 0 and rng.random() < 0.25:
                m, s, _, role = v.team[-1]
                ended = start + 90 + self.rint(0, span)
                v.team[-1] = (m, s, ended, role)
                newcomer = take(v.district, 1, team)
                if newcomer:
                    v.team.append((newcomer[0], ended + 1, far, "member"))
            if not v.active:
                v.team = [(m, s, max(min(e, v.open_to), s), role) for m, s, e, role in v.team]
            for m, s, e, role in v.team:
                ended = NULL if e >= far else self.d(e)
                w.add(f"{next(ids)}\t{role}\t{self.d(s)}\t{ended}\t{NULL}\t{m}\t{v.id}")
        term_start = dt.date(dt.date.fromordinal(self.window_start).year - 1, 1, 10).toordinal()
        for di, district in enumerate(self.districts):
            subs = district["subs"]
            filled: Counter[int] = Counter()
            for index, m in enumerate(
                pools[di]
                + [
                    mid
                    for mid in range(1, len(self.member_home))
                    if self.member_home[mid] == di and not self.member_active[mid]
                ]
            ):
                if rng.random() >= 0.9:
                    continue
                sub = self.subs[subs[index % len(subs)]]
                rank = filled[sub["id"]]
                filled[sub["id"]] += 1
                role = "convener" if rank == 0 else "liaison" if rank == 1 else "member"
                left = self.member_left.get(m)
                ended = self.d(max(left, term_start + 30)) if left else NULL
                w.add(
                    f"{next(ids)}\t{role}\t{self.d(term_start + self.rint(0, 30))}\t{ended}\t"
                    f"{sub['id']}\t{m}\t{NULL}"
                )

    def duty_shifts(self) -> None:
        """A weekly rota at two in five active venues, 120 days back to the end of next month."""
        rng = self.rng
        today = dt.date.fromordinal(self.today)
        first_of_next = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = ((first_of_next + dt.timedelta(days=32)).replace(day=1)).toordinal() - 1
        start = self.today - 120
        w = self.writer(DutyShift, "id date slot status note member_id venue_id")
        ids = itertools.count(1)
        booked: set[tuple[int, int]] = set()
        past = picker(rng, {"done": 85, "swapped": 7, "missed": 8})
        soon = picker(rng, {"confirmed": 55, "scheduled": 45})
        later = picker(rng, {"scheduled": 80, "confirmed": 20})
        slots = picker(rng, {"day": 50, "am": 25, "pm": 25})
        for v in self.venue_rows:
            if not v.active or rng.random() >= 0.4:
                continue
            weekday = rng.randrange(5)
            slot = "eve" if v.kind == "parlour" else slots()
            turn = 0
            day = max(start, v.open_from)
            day += (weekday - dt.date.fromordinal(day).weekday()) % 7
            while day <= end:
                team = v.members_on(min(day, self.yesterday))
                for offset in range(len(team)):
                    m = team[(turn + offset) % len(team)]
                    if (m, day) not in booked:
                        booked.add((m, day))
                        status = (
                            past()
                            if day < self.today
                            else soon()
                            if day <= self.today + 14
                            else later()
                        )
                        w.add(f"{next(ids)}\t{self.d(day)}\t{slot}\t{status}\t\t{m}\t{v.id}")
                        turn += offset + 1
                        break
                day += 7

    # ------------------------------------------------------------------ sessions
    def sessions(self) -> None:
        rng, scale = self.rng, self.scale
        upcoming = max(1, scale.sessions // 100)
        past = scale.sessions - upcoming
        spans = [
            (max(v.open_from, self.window_start), min(v.open_to, self.yesterday))
            for v in self.venue_rows
        ]
        weights = [
            (2 if v.kind in FORMS_BY_KIND else 1) * max(end - start + 1, 1)
            for v, (start, end) in zip(self.venue_rows, spans, strict=True)
        ]
        whole = sum(weights)
        quotas = [past * wt / whole for wt in weights]
        shares = [int(q) for q in quotas]
        order = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
        for i in order[: past - sum(shares)]:
            shares[i] += 1
        plans: list[tuple[int, int]] = []  # (day, venue index)
        for vi, ((start, end), count) in enumerate(zip(spans, shares, strict=True)):
            step = (end - start + 1) / max(count, 1)
            for i in range(count):
                plans.append((min(start + int(step * i + rng.random() * step), end), vi))
        active = [vi for vi, v in enumerate(self.venue_rows) if v.active]
        for vi in rng.sample(active, min(upcoming, len(active))):
            plans.append((self.today + self.rint(1, 30), vi))
        plans.sort()
        form_pick = {k: picker(rng, f) for k, f in FORMS_BY_KIND.items()}
        default_form = picker(rng, FORMS_DEFAULT)
        labels = {
            "hearing": "民情恳谈会",
            "coordination": "事务协调会",
            "democratic": "民主协商会",
            "residents": "居民议事会",
            "monthly": "月月谈",
            "neighbour": "邻里夜话",
            "half_seven": "七点半议事厅",
            "village_night": "村落夜话",
            "courtyard": "庭院协商",
            "station": "片区驿站协商",
            "business": "商事协商",
            "online": "线上协商",
        }
        attendance_pick = picker(rng, {"present": 85, "leave": 10, "absent": 5})
        w = self.writer(
            Consultation,
            "id held_at form title residents_count enterprises_count experts_count "
            "departments_count minutes outcome created_at updated_at created_by_id host_id "
            "venue_id",
        )
        a = self.writer(Attendance, "id status member_id consultation_id")
        m2m = self.writer(Consultation.departments.through, "id consultation_id department_id")
        attendance_ids = itertools.count(1)
        m2m_ids = itertools.count(1)
        outcomes = [esc(o) for o in texts.OUTCOMES_GENERAL]
        for sid, (day, vi) in enumerate(plans, start=1):
            v = self.venue_rows[vi]
            sub = self.subs[v.sub]
            district = self.districts[v.district]
            form = form_pick[v.kind]() if v.kind in form_pick else default_form()
            hour = "19:30" if form in EVENING else rng.choice(("09:00", "09:30", "14:30", "15:00"))
            themes = texts.RURAL_THEMES if sub["rural"] else texts.URBAN_THEMES
            title = f"{labels[form]}:{rng.choice(themes)}"
            is_past = day < self.today
            members = v.members_on(min(day, self.yesterday))
            convener = v.convener_on(min(day, self.yesterday))
            host = (
                convener
                if convener and rng.random() < 0.8
                else (rng.choice(members) if members else None)
            )
            n_depts = rng.choice((0, 1, 1, 2))
            depts = [sub["office"], *rng.sample(list(district["departments"].values()), 1)]
            depts = depts[:n_depts]
            residents = self.rint(6, 40) if is_past else 0
            minutes = outcome = ""
            if is_past and rng.random() < 0.88:
                minutes = (
                    f"{self.d(day)},{self.area_names[v.area_id]}召开{labels[form]},"
                    f"群众代表{residents}人参加,与会人员逐一发言,相关部门现场回应群众关切。"
                )
                outcome = rng.choice(outcomes).format(n=self.rint(2, 6))
            w.add(
                f"{sid}\t{self.d(day)} {hour}:00+08\t{form}\t{title}\t{residents}\t"
                f"{self.rint(0, 3) if is_past and rng.random() < 0.3 else 0}\t"
                f"{self.rint(1, 3) if is_past and rng.random() < 0.3 else 0}\t{len(depts)}\t"
                f"{minutes}\t{outcome}\t{self.now}\t{self.now}\t{district['office']}\t"
                f"{host if host else NULL}\t{v.id}"
            )
            for dep in depts:
                m2m.add(f"{next(m2m_ids)}\t{sid}\t{dep}")
            if is_past:
                v.session_days.append(day)
                v.session_ids.append(sid)
                for m in members:
                    status = "present" if m == host else attendance_pick()
                    a.add(f"{next(attendance_ids)}\t{status}\t{m}\t{sid}")
        self.session_topics = [0] * (len(plans) + 1)

    # ------------------------------------------------------------------ topics
    def topics(self) -> None:
        """Each topic in turn, in steps: where it was raised and how its history ran
        (``_topic_origin``, ``_topic_history``), whether it was merged into an earlier one
        (``_topic_merge``), its row (``_topic_row``), its timeline (``_topic_events``), its
        referrals (``_topic_referrals``), its session (``_topic_session``) and the member duties
        it led to (``_topic_duties``, written later by ``duties``). The steps draw from the one
        random stream in this order, so the rows are those of a seed and a day."""
        self.choices = TopicChoices.make(self.rng, self.categories, self.venue_rows)
        self.topic_writer = self.writer(
            Topic,
            "id title description source resident_name resident_phone resident_consents_contact "
            "raised_on status priority tracking_code deadline resolved_on resolution_summary "
            "internal_notes rating rated_on created_at updated_at area_id raised_by_member_id "
            "venue_id category_id merged_into_id",
        )
        self.event_writer = self.writer(
            TopicEvent, "id kind at from_status to_status note actor_id topic_id"
        )
        self.referral_writer = self.writer(
            Referral,
            "id role referred_on deadline replied_on reply department_id topic_id",
        )
        self.link_writer = self.writer(ConsultationTopic, "id note consultation_id topic_id")
        self.topic_duties: list[str] = []
        self.event_ids, self.referral_ids, self.link_ids = (itertools.count(1) for _ in range(3))
        self.last_topic_at_venue: dict[int, int] = {}
        progress = max(self.scale.topics // 10, 1)
        started = time.monotonic()
        for tid in range(1, self.scale.topics + 1):
            if tid % progress == 0:
                self.out(f"    topics {tid:,} ({time.monotonic() - started:.0f} s)")
            t = self._topic_origin(tid)
            self._topic_history(t)
            self._topic_merge(t)
            self._topic_row(t)
            self._topic_events(t)
            self._topic_referrals(t)
            self._topic_session(t)
            self._topic_duties(t)

    def _topic_origin(self, tid: int) -> TopicDraft:
        """Where and when the topic was raised, and by which channel: mostly at a venue
        (busier kinds twice as often), otherwise in any community, on a day the venue was
        open."""
        rand, choices = self.rng.random, self.choices
        if rand() < 0.88:
            weights = choices.venue_weights
            vi = bisect.bisect_right(weights, rand() * weights[-1])
            v = self.venue_rows[min(vi, len(self.venue_rows) - 1)]
            area_id, si = v.area_id, v.sub
            first, last = max(v.open_from, self.window_start), min(v.open_to, self.yesterday)
        else:
            v = None
            area_id, si = self.communities[int(rand() * len(self.communities))]
            first, last = self.window_start, self.yesterday
        sub = self.subs[si]
        raised = first + int(rand() * (last - first + 1))
        return TopicDraft(
            tid=tid,
            venue=v,
            area_id=area_id,
            sub=sub,
            district=self.districts[sub["district"]],
            raised=raised,
            source=choices.source(),
        )

    def _topic_history(self, t: TopicDraft) -> None:
        """The lifecycle path (by the topic's age and source) and the day of each move, cut at
        yesterday; 达成共识 follows a session of the venue that still has room."""
        rand, choices = self.rng.random, self.choices
        age = self.yesterday - t.raised
        limits = choices.age_limits
        bucket = 0 if age <= limits[0] else 1 if age <= limits[1] else 2
        path = choices.path[bucket][t.source]()
        v = t.venue
        day = t.raised
        for status in path[1:]:
            if status == S.AGREED and v is not None:
                t.session = self._next_session(v, t.moves[S.CONSULTING])
                if not t.session:
                    break
                day = v.session_days[t.session[1]] + 1 + int(rand() * 7)
            else:
                low, width = choices.step_days[status]
                day += low + int(rand() * width)
            if day > self.yesterday:
                break
            t.moves[status] = day
        t.status = next(reversed(t.moves)) if t.moves else S.RAISED

    def _topic_merge(self, t: TopicDraft) -> None:
        """A few open topics are merged into the venue's previous topic, a little after their
        last move."""
        v = t.venue
        if (
            v is not None
            and t.status in OPEN_STATES
            and self.rng.random() < 0.006
            and v.id in self.last_topic_at_venue
        ):
            last_move = next(reversed(t.moves.values())) if t.moves else t.raised
            t.merge_day = last_move + 1 + int(self.rng.random() * 10)
            if t.merge_day <= self.yesterday:
                t.merged_into = self.last_topic_at_venue[v.id]
        if v is not None:
            self.last_topic_at_venue[v.id] = t.tid

    def _topic_row(self, t: TopicDraft) -> None:
        """The topic's own row: category and texts, the resident or member who raised it, and
        the deadline, resolution and rating its moves imply."""
        rng, rand, choices, d, moves = self.rng, self.rng.random, self.choices, self.d, t.moves
        category = (choices.rural_category if t.sub["rural"] else choices.urban_category)()
        cat_id, cat_name, text = choices.categories[category]
        t.text = text
        t.words = words = {
            "estate": rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_SUFFIXES),
            "road": rng.choice(ROADS),
            "place": self.area_names[t.area_id],
            "sub": self.area_names[t.sub["id"]],
            "district": t.district["name"],
            "n": 1 + int(rand() * 12),
            "category": cat_name,
            "detail": "",
        }
        t.title = esc(rng.choice(text.titles).format(**words))[:200]
        description = esc(text.description.format(**words))
        resident_name = resident_phone = ""
        consents = "f"
        if t.source == "resident" or (t.source == "online" and rand() < 0.4):
            resident_name = names.person_name(rng, "M" if rand() < 0.5 else "F")
            resident_phone = f"1{'3578'[int(rand() * 4)]}{int(rand() * 10**9):09d}"
            consents = "t" if rand() < 0.75 else "f"
        if t.source == "member" or (t.source == "research" and rand() < 0.5):
            team = t.venue.members_on(t.raised) if t.venue else []
            if team:
                t.raiser = team[int(rand() * len(team))]
            else:
                t.raiser = 1 + int(rand() * (len(self.member_home) - 1))
        resolved = rated = NULL
        notes_internal = ""
        if S.ACCEPTED in moves:
            t.deadline = moves[S.ACCEPTED] + 30 + int(rand() * 61)
        if S.REFERRED in moves:
            t.deadline = moves[S.REFERRED] + 15 + int(rand() * 31)
        if S.RESOLVED in moves:
            resolved = d(moves[S.RESOLVED])
            t.summary = esc(rng.choice(text.resolutions).format(**words))
        if S.RATED in moves:
            t.rating = choices.rating()
            rated = d(moves[S.RATED])
        if (S.RESOLVED in moves or S.UNRESOLVED in moves) and rand() < 0.25:
            notes_internal = texts.INTERNAL_NOTES[int(rand() * len(texts.INTERNAL_NOTES))]
        final = S.MERGED if t.merged_into != NULL else t.status
        deadline = d(t.deadline) if t.deadline != NULL else NULL
        self.topic_writer.add(
            f"{t.tid}\t{t.title}\t{description}\t{t.source}\t{resident_name}\t{resident_phone}\t"
            f"{consents}\t{d(t.raised)}\t{final}\t{choices.priority()}\t{tracking_code(t.tid)}\t"
            f"{deadline}\t{resolved}\t{t.summary}\t{notes_internal}\t{t.rating}\t{rated}\t"
            f"{self.now}\t{self.now}\t{t.area_id}\t{t.raiser}\t{t.venue.id if t.venue else NULL}\t"
            f"{cat_id}\t{t.merged_into}"
        )

    def _topic_events(self, t: TopicDraft) -> None:
        """The timeline: raised, one event per move with its note (a referral picks its
        departments here), and the two merge events, all by the district's office."""
        rng, rand, choices = self.rng, self.rng.random, self.choices
        actor = t.district["office"]
        w, ids = self.event_writer, self.event_ids
        w.add(
            f"{next(ids)}\traised\t{self._at(t.raised)}\t\traised\t"
            f"来源:{SOURCE_LABELS[t.source]}\t{actor}\t{t.tid}"
        )
        previous = S.RAISED
        for status, day in t.moves.items():
            if status in choices.notes:
                options = choices.notes[status]
                note = options[int(rand() * len(options))]
            elif status == S.RATED:
                options = choices.rating_notes[t.rating]
                note = options[int(rand() * len(options))]
            elif status == S.AGREED:
                note = esc("达成共识:" + rng.choice(t.text.consensus).format(**t.words))
            elif status == S.REFERRED:
                t.lead, t.assist = self._departments(t.text, t.sub, t.district)
                note = f"交办{t.lead[1]}牵头办理,限期答复。"
            else:
                note = ""
            w.add(
                f"{next(ids)}\ttransition\t{self._at(day)}\t{previous}\t{status}\t{note}\t"
                f"{actor}\t{t.tid}"
            )
            previous = status
        if t.merged_into != NULL:
            w.add(
                f"{next(ids)}\tmerge\t{self._at(t.merge_day)}\t{previous}\tmerged\t"
                f"合并至议题 #{t.merged_into}。\t{actor}\t{t.tid}"
            )
            w.add(
                f"{next(ids)}\tmerge\t{self._at(t.merge_day)}\t\t\t"
                f"重复议题 #{t.tid}已合并至本议题。\t{actor}\t{t.merged_into}"
            )

    def _topic_referrals(self, t: TopicDraft) -> None:
        """The lead department's referral (answered when the topic was) and maybe an assisting
        one, answered a few days earlier."""
        if t.lead is None:
            return
        d, w, ids = self.d, self.referral_writer, self.referral_ids
        referred = t.moves[S.REFERRED]
        answered = t.moves.get(S.REPLIED)
        reply = (
            ("经研究,暂不具备解决条件。" if S.UNRESOLVED in t.moves else t.summary or "已办理。")
            if answered
            else ""
        )
        w.add(
            f"{next(ids)}\tlead\t{d(referred)}\t{d(t.deadline)}\t"
            f"{d(answered) if answered else NULL}\t{reply}\t{t.lead[0]}\t{t.tid}"
        )
        if t.assist is not None:
            replied = max(referred, answered - int(self.rng.random() * 6)) if answered else None
            w.add(
                f"{next(ids)}\tassist\t{d(referred)}\t{d(t.deadline)}\t"
                f"{d(replied) if replied else NULL}\t"
                f"{'配合主办单位完成相关工作。' if replied else ''}\t{t.assist}\t{t.tid}"
            )

    def _topic_session(self, t: TopicDraft) -> None:
        """A topic that reached 协商 at a venue is linked to the session that discussed it
        (always when agreed there, otherwise half the time)."""
        v = t.venue
        if v is None or S.CONSULTING not in t.moves:
            return
        if not t.session:
            t.session = self._next_session(v, t.moves[S.CONSULTING])
        if t.session and (S.AGREED in t.moves or self.rng.random() < 0.5):
            sid = t.session[0]
            self.session_topics[sid] += 1
            note = AGREED_NOTE if S.AGREED in t.moves else OPEN_NOTE
            self.link_writer.add(f"{next(self.link_ids)}\t{note}\t{sid}\t{t.tid}")

    def _topic_duties(self, t: TopicDraft) -> None:
        """Duties the topic led to: a research visit by a venue member, and the proposal of an
        escalated topic by the member who raised it (or the venue's convener)."""
        rand, v, moves = self.rng.random, t.venue, t.moves
        if v is not None and S.CONSULTING in moves and rand() < 0.6:
            team = v.members_on(moves[S.CONSULTING])
            if team:
                when = min(moves[S.CONSULTING] + int(rand() * 6), self.yesterday)
                self.topic_duties.append(
                    f"research\t{self.d(when)}\t调研:{t.title[:180]}\tdone\t\t\t{self.now}\t"
                    f"{t.tid}\t{v.id}\t{team[int(rand() * len(team))]}"
                )
        if S.ESCALATED in moves:
            member = (
                t.raiser if t.raiser != NULL else (v.convener_on(moves[S.ESCALATED]) if v else None)
            )
            if member:
                old = self.yesterday - moves[S.ESCALATED] > 90
                self.topic_duties.append(
                    f"proposal\t{self.d(moves[S.ESCALATED])}\t关于{t.title[:150]}的提案\tdone\t"
                    f"{'answered' if old else 'filed'}\t\t{self.now}\t{t.tid}\t"
                    f"{v.id if v else NULL}\t{member}"
                )

    def _at(self, day: int) -> str:
        """A time in office hours on ``day``, as COPY text."""
        rand = self.rng.random
        return f"{self.d(day)} {8 + int(rand() * 10):02d}:{MINUTES[int(rand() * 6)]}:00+08"

    def _next_session(self, v: VenueRow, after: int) -> tuple[int, int] | None:
        """(session id, index) of the venue's first past session after ``after`` with room."""
        i = bisect.bisect_right(v.session_days, after)
        for j in range(i, len(v.session_days)):
            sid = v.session_ids[j]
            if self.session_topics[sid] < MAX_TOPICS_PER_SESSION:
                return sid, j
        return None

    def _departments(self, text, sub: dict, district: dict) -> tuple[tuple[int, str], int | None]:
        """(lead department id and name, assisting department id or None) of a referral."""
        rng = self.rng
        options = []
        for name in text.departments:
            if name == texts.TOWNSHIP_OFFICE:
                options.append((sub["office"], "街道办事处"))
            elif name in district["departments"]:
                options.append((district["departments"][name], district["name"] + name))
        if not options or rng.random() < 0.08:
            city = self.city_departments[district["city"]]
            options = [(city[0], "市直部门")]
        lead = rng.choice(options)
        assist = None
        if rng.random() < 0.3:
            others = [o[0] for o in options if o[0] != lead[0]]
            if sub["office"] != lead[0]:
                others.append(sub["office"])
            assist = rng.choice(others) if others else None
        return lead, assist

    # ------------------------------------------------------------------ duties
    def duties(self) -> None:
        """Topic duties (research visits, proposals of escalated topics) and each member's own
        proposals, opinion reports, research visits and deeds: a few a year each."""
        rng = self.rng
        w = self.writer(
            Duty,
            "id kind date title status outcome note created_at topic_id venue_id member_id",
        )
        ids = itertools.count(1)
        for line in self.topic_duties:
            w.add(f"{next(ids)}\t{line}")
        self.topic_duties = []
        rates = {"proposal": 1.3, "opinion": 1.5, "research": 1.0, "deed": 1.2, "other": 0.4}
        titles = {
            "proposal": texts.PROPOSAL_TITLES,
            "opinion": texts.OPINION_TITLES,
            "research": texts.RESEARCH_TITLES,
            "deed": texts.DEED_TITLES,
            "other": texts.OTHER_TITLES,
        }
        proposal_recent = picker(rng, {"filed": 70, "not_filed": 20, "answered": 10})
        proposal_old = picker(rng, {"answered": 70, "filed": 10, "not_filed": 20})
        opinion = picker(
            rng,
            {
                "not_adopted": 40,
                "adopted_district": 35,
                "adopted_city": 18,
                "adopted_province": 6,
                "adopted_national": 1,
            },
        )
        years = self.scale.years
        for mid in range(1, len(self.member_home)):
            district = self.districts[self.member_home[mid]]
            last = self.member_left.get(mid, self.yesterday)
            for kind, rate in rates.items():
                for _ in range(self.poisson(rate * years)):
                    day = self.rint(self.window_start, last)
                    words = {
                        "district": district["name"],
                        "theme": rng.choice(texts.DUTY_THEMES),
                        "sub": self.area_names[self.subs[district["subs"][0]]["id"]],
                        "place": district["name"],
                    }
                    title = esc(rng.choice(titles[kind]).format(**words))
                    recent = self.yesterday - day < 90
                    outcome = ""
                    if kind == "proposal":
                        outcome = proposal_recent() if recent else proposal_old()
                    elif kind == "opinion" and not (recent and rng.random() < 0.5):
                        outcome = opinion()
                    status = "cancelled" if rng.random() < 0.02 else "done"
                    if status == "cancelled":
                        outcome = ""
                    w.add(
                        f"{next(ids)}\t{kind}\t{self.d(day)}\t{title}\t{status}\t{outcome}\t\t"
                        f"{self.now}\t{NULL}\t{NULL}\t{mid}"
                    )


def check_tree(sample: int = 5) -> list[str]:
    """Problems treebeard finds in the tree, and whether a sample of areas has the children
    and descendants their paths say (an empty list when all is well).

    ``find_problems`` runs two queries per node, so on a big tree it checks the subtree of the
    first district only (some 200 nodes); a small tree is checked whole."""
    problems = []
    parent = None
    if Area.objects.count() > 2000:
        parent = Area.objects.filter(depth=3).order_by("path").first()
    found = Area.objects.find_problems(parent=parent)
    for label, ids in zip(
        ("bad alphabet", "bad path", "orphans", "wrong depth", "wrong numchild"),
        found,
        strict=False,
    ):
        if ids:
            problems.append(f"{label}: {list(ids)[:5]}")
    for area in Area.objects.filter(depth__lte=3).order_by("path")[:sample]:
        children = Area.objects.get_children(area).count()
        if children != area.numchild:
            problems.append(f"{area.name}: {children} children, numchild {area.numchild}")
        if Area.objects.get_descendants(area).filter(depth=area.depth + 1).count() != children:
            problems.append(f"{area.name}: descendants disagree with children")
    return problems
