"""Steps that make the places and accounts: the area tree, demo users, brands, departments and
venues."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from consult_portal import roles
from platforms.models import (
    Area,
    AreaLevel,
    PlatformBrand,
    Profile,
    StandardItem,
    Venue,
    VenueKind,
    VenueStandardRecord,
)
from topics.models import Department, DepartmentKind, UnitAccount

from . import names, texts
from .places import COMMUNITY_STEMS, ROADS, VILLAGE_SUFFIXES, CityData
from .state import BATCH_SIZE, District, Township, VenueInfo

if TYPE_CHECKING:
    from .build import DemoBuilder

DEMO_PASSWORD = "demo1234"

# (name, district it belongs to or None for the whole city, slogan)
BRANDS = (
    ("有事好商量", None, "有事好商量,众人的事情由众人商量"),
    ("有事来协商", "伍家岗区", "有事来协商,协商解民忧"),
    ("家话西陵", "西陵区", "家事家话,西陵共商"),
    ("村落夜话", "长阳土家族自治县", "夜话村落事,共谋振兴路"),
    ("群言堂", "当阳市", "群言群策,共建共享"),
    ("同心圆", "枝江市", "画好最大同心圆"),
)
CITYWIDE_BRAND = BRANDS[0][0]
VILLAGE_BRANDS = {"村落夜话"}  # only village rooms carry these

TOWNSHIP_VENUE_KINDS = {
    VenueKind.LIAISON_STATION: 40,
    VenueKind.MEMBERS_HOME: 30,
    VenueKind.MEMBERS_PARLOUR: 15,
    VenueKind.MEMBER_STUDIO: 15,
}
URBAN_VENUE_KINDS = {
    VenueKind.CONSULTATION_HALL: 40,
    VenueKind.CONSULTATION_STATION: 30,
    VenueKind.BUSINESS_ROOM: 12,
    VenueKind.MEMBER_STUDIO: 10,
    VenueKind.MEMBERS_PARLOUR: 8,
}
VILLAGE_VENUE_KINDS = {
    VenueKind.VILLAGE_ROOM: 70,
    VenueKind.CONSULTATION_STATION: 15,
    VenueKind.CONSULTATION_HALL: 10,
    VenueKind.MEMBER_STUDIO: 5,
}
VENUE_NAMES = {
    VenueKind.MEMBER_STUDIO: "{place}{theme}委员工作室",
    VenueKind.CONSULTATION_HALL: "{place}协商议事厅",
    VenueKind.CONSULTATION_STATION: "{place}协商驿站",
    VenueKind.LIAISON_STATION: "{place}政协委员联络站",
    VenueKind.MEMBERS_HOME: "{place}政协委员之家",
    VenueKind.MEMBERS_PARLOUR: "{place}委员会客厅",
    VenueKind.BUSINESS_ROOM: "{place}商事协商议事室",
    VenueKind.VILLAGE_ROOM: "{place}协商议事室",
}


def demo_usernames(city: CityData) -> list[str]:
    """Every account the builder may create for ``city`` (``--reset`` deletes these)."""
    staff = ["staff"] + [f"staff{i}" for i in range(2, len(city.districts) + 1)]
    return ["admin", "leader", "member", *staff]


def build_areas(b: DemoBuilder) -> None:
    """City → districts → townships → communities, loaded in one treebeard bulk load."""
    rng, scale = b.rng, b.scale
    district_data = b.city.districts[: scale.districts]
    per_district = _round_robin([len(d.townships) for d in district_data], scale.subdistricts)
    community_counts = [2] * scale.subdistricts
    for _ in range(scale.communities - 2 * scale.subdistricts):
        community_counts[rng.randrange(scale.subdistricts)] += 1

    used: set[str] = set()
    stems = list(COMMUNITY_STEMS)
    rng.shuffle(stems)
    surnames = names.surname_pool()[:60]

    def community_name(stem: str | None = None) -> str:
        """XX社区: the township's own stem for a town seat, else an unused urban stem."""
        while True:
            if stem:
                name, stem = f"{stem}社区", None
            elif stems:
                name = stems.pop() + "社区"
            else:
                name = rng.choice(COMMUNITY_STEMS) + rng.choice("东西南北新") + "社区"
            if name not in used:
                used.add(name)
                return name

    def village_name() -> str:
        while True:
            name = f"{rng.choice(surnames)}家{rng.choice(VILLAGE_SUFFIXES)}村"
            if name not in used:
                used.add(name)
                return name

    district_nodes = []
    counts = iter(community_counts)
    for d, n in zip(district_data, per_district, strict=True):
        township_nodes = []
        for t_index, t_name in enumerate(d.townships[:n], start=1):
            t_code = f"{d.code}{t_index:03d}"
            urban = t_name.endswith("街道")
            children = []
            for c_index in range(next(counts)):
                if urban or c_index == 0:  # a town has one 社区 at its seat, then villages
                    name = community_name(None if urban else _township_stem(t_name))
                    code = f"{t_code}{c_index + 1:03d}"
                else:
                    name, code = village_name(), f"{t_code}{200 + c_index:03d}"
                children.append(_node(name, code, AreaLevel.COMMUNITY))
            township_nodes.append(
                {**_node(t_name, f"{t_code}000", AreaLevel.SUBDISTRICT), "children": children}
            )
        district_nodes.append(
            {**_node(d.name, f"{d.code}000000", AreaLevel.DISTRICT), "children": township_nodes}
        )
    tree = [{**_node(b.city.name, b.city.code, AreaLevel.CITY), "children": district_nodes}]

    root_pk = Area.objects.load_bulk(tree, bulk_create=True, batch_size=BATCH_SIZE)[0]
    root = Area.objects.get(pk=root_pk)
    by_code = {a.code: a for a in Area.objects.filter(path__startswith=root.path)}
    b.root = root
    b.districts = []
    for d in district_data:
        district = District(area=by_code[f"{d.code}000000"], data=d)
        spread = 0.06 if d.urban else 0.25
        for node in district_nodes[len(b.districts)]["children"]:
            area = by_code[node["data"]["code"]]
            district.townships.append(
                Township(
                    area=area,
                    district=district,
                    communities=[by_code[c["data"]["code"]] for c in node["children"]],
                    latitude=d.latitude + rng.uniform(-spread, spread),
                    longitude=d.longitude + rng.uniform(-spread, spread),
                )
            )
        b.districts.append(district)
    b.townships = [t for d in b.districts for t in d.townships]
    for area in by_code.values():
        level = AreaLevel(area.level)
        b.counts[f"areas: {level.name.lower()} {level.label}"] += 1


def build_users(b: DemoBuilder) -> None:
    """admin, staff (+ staff2… one office account per district), leader and member."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is the slow part
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_GROUPS}
    b.reused_users = []

    def account(
        username: str,
        *,
        group: str | None = None,
        area: Area | None = None,
        title: str = "",
        superuser: bool = False,
        staff: bool = False,
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                password=password,
                is_superuser=superuser,
                is_staff=staff or superuser,
                email=f"{username}@example.com",
            )
            b.counts["users"] += 1
        else:
            b.reused_users.append(username)
        if group:
            user.groups.add(groups[group])
        if area is not None:
            Profile.objects.update_or_create(
                user=user,
                defaults={"area": area, "display_name": b.person(), "title": title},
            )
        return user

    b.admin_user = account("admin", superuser=True)
    for index, district in enumerate(b.districts, start=1):
        username = "staff" if index == 1 else f"staff{index}"
        district.office_user = account(
            username,
            group=roles.GROUP_OFFICE,
            area=district.area,
            staff=True,
            title=f"政协{district.short}委员会办公室干部",
        )
    b.leader_user = account("leader", group=roles.GROUP_LEADER, area=b.root, title="市政协副主席")
    b.member_user = account("member", group=roles.GROUP_MEMBER)


def build_brands(b: DemoBuilder) -> None:
    by_district = {d.area.name: d for d in b.districts}
    b.brands = {}
    for name, district_name, slogan in BRANDS:
        district = by_district.get(district_name) if district_name else None
        area = district.area if district else b.root
        brand, created = PlatformBrand.objects.get_or_create(
            name=name,
            defaults={
                "area": area,
                "slogan": slogan,
                "description": f"{area.name}基层协商议事品牌。",
            },
        )
        b.counts["brands"] += int(created)
        b.brands[name] = brand
        if district:
            district.brand = brand


def build_departments(b: DemoBuilder) -> None:
    """City departments, each district's bureaus, and every township office."""
    departments = []

    def department(name: str, area: Area, kind: str = DepartmentKind.GOVERNMENT) -> Department:
        dept = Department(
            name=name, area=area, kind=kind, contact_name=b.person(), contact_phone=b.landline()
        )
        departments.append(dept)
        return dept

    b.city_departments = [
        department(f"{b.city.name}{name}", b.root) for name in texts.CITY_DEPARTMENTS
    ]
    b.city_units = [
        department(f"{b.city.name}{name}", b.root, kind) for name, kind in texts.CITY_UNITS
    ]
    for district in b.districts:
        for name in texts.DISTRICT_DEPARTMENTS:
            district.departments[name] = department(f"{district.short}{name}", district.area)
        for name, kind in texts.DISTRICT_UNITS:
            department(f"{district.short}{name}", district.area, kind)
        for township in district.townships:
            suffix = "办事处" if township.area.name.endswith("街道") else "人民政府"
            township.office = department(township.area.name + suffix, township.area)
    b.save(Department, departments, "departments")


# Demo logins of units (承办单位): the city's 住建局 and 燃气集团, the first district's 住建局.
UNIT_LOGINS = (("unit_zjj", "city", 0), ("unit_gas", "city_unit", 0), ("unit_qzjj", "district", 0))


def build_unit_users(b: DemoBuilder) -> None:
    """A few accounts of the group 承办单位, each tied to its unit (README's demo logins)."""
    User = get_user_model()
    group = Group.objects.get_or_create(name=roles.GROUP_UNIT)[0]
    password = make_password(DEMO_PASSWORD)
    first_district = b.districts[0]
    units = {
        "city": b.city_departments,
        "city_unit": b.city_units,
        "district": [first_district.departments["住建局"]],
    }
    for username, where, index in UNIT_LOGINS:
        unit = units[where][index]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username, password=password, email=f"{username}@example.com"
            )
            b.counts["users"] += 1
        else:
            b.reused_users.append(username)
        user.groups.add(group)
        UnitAccount.objects.update_or_create(
            user=user, defaults={"department": unit, "display_name": b.person()}
        )


def build_venues(b: DemoBuilder) -> None:
    """One venue per township, the rest in communities; each with its "六有" records."""
    rng, scale = b.rng, b.scale
    slots: list[tuple[Township, Area]] = [(t, t.area) for t in b.townships]
    community_slots = [(t, c) for t in b.townships for c in t.communities]
    remaining = scale.venues - len(slots)
    if remaining <= len(community_slots):
        chosen = sorted(rng.sample(range(len(community_slots)), remaining))
        slots += [community_slots[i] for i in chosen]
    else:
        slots += community_slots + rng.choices(community_slots, k=remaining - len(community_slots))
    slots = slots[: scale.venues]
    slots.sort(key=lambda slot: slot[1].path)

    taken: set[tuple[int, str]] = set()
    b.venues = []
    venues: list[Venue] = []
    for number, (township, area) in enumerate(slots, start=1):
        if area.level == AreaLevel.SUBDISTRICT:
            weights = TOWNSHIP_VENUE_KINDS
        elif area.name.endswith("村"):
            weights = VILLAGE_VENUE_KINDS
        else:
            weights = URBAN_VENUE_KINDS
        kind = b.pick(weights)
        while (area.pk, kind) in taken:
            kind = b.pick(weights)
        taken.add((area.pk, kind))
        venue = new_venue(b, number, kind, township, area)
        venues.append(venue)
    ensure_every_kind(b, venues)
    b.save(Venue, venues, "venues")

    records = []
    for venue, (township, _area) in zip(venues, slots, strict=True):
        if venue.is_active:
            open_to = b.yesterday
        else:
            open_to = b.yesterday - dt.timedelta(days=rng.randint(30, 200))
        open_from = venue.established_on + dt.timedelta(days=15)
        open_to = max(open_to, open_from + dt.timedelta(days=30))
        b.venues.append(VenueInfo(venue, township, open_from, open_to))
        records += standard_records(b, venue, township.district.office_user)
    b.save(VenueStandardRecord, records, "venue standard records")


def new_venue(b: DemoBuilder, number: int, kind: str, township: Township, area: Area) -> Venue:
    rng = b.rng
    district = township.district
    themes = texts.RURAL_STUDIO_THEMES if township.rural else texts.STUDIO_THEMES
    name = VENUE_NAMES[kind].format(place=area.name, theme=rng.choice(themes))
    if township.rural and area.name.endswith("村"):
        address = f"{district.short}{township.area.name}{area.name}村委会"
    else:
        address = f"{district.short}{township.area.name}{rng.choice(ROADS)}{rng.randint(1, 199)}号"
    brand = None
    roll = rng.random()
    if district.brand and (
        district.brand.name not in VILLAGE_BRANDS or kind == VenueKind.VILLAGE_ROOM
    ):
        if roll < 0.65:
            brand = district.brand
        elif roll < 0.9:
            brand = b.brands[CITYWIDE_BRAND]
    elif roll < 0.8:
        brand = b.brands[CITYWIDE_BRAND]
    latitude = longitude = None
    if rng.random() < 0.92:
        spread = 0.05 if township.rural else 0.015
        latitude = Decimal(f"{township.latitude + rng.uniform(-spread, spread):.6f}")
        longitude = Decimal(f"{township.longitude + rng.uniform(-spread, spread):.6f}")
    roll = rng.random()
    phone = b.landline() if roll < 0.6 else (b.mobile() if roll < 0.95 else "")
    if rng.random() < 0.88:
        established = b.day_between(
            b.today - dt.timedelta(days=365 * 6), b.window_start - dt.timedelta(days=30)
        )
    else:
        established = b.day_between(b.window_start, b.today - dt.timedelta(days=60))
    return Venue(
        name=name,
        code=f"{b.city.slug}-{number:04d}",
        kind=kind,
        brand=brand,
        area=area,
        address=address,
        latitude=latitude,
        longitude=longitude,
        opening_hours=rng.choice(texts.VENUE_HOURS),
        contact_phone=phone,
        established_on=established,
        is_active=rng.random() < 0.97,
    )


def ensure_every_kind(b: DemoBuilder, venues: list[Venue]) -> None:
    """Small scales could miss a kind by chance; convert a venue of the commonest kind."""
    for kind in VenueKind.values:
        counts = Counter(v.kind for v in venues)
        if counts[kind] or not venues:
            continue
        common = max(counts, key=lambda k: (counts[k], k))
        venue = next(v for v in reversed(venues) if v.kind == common)
        venue.kind = kind
        venue.name = VENUE_NAMES[kind].format(place=venue.area.name, theme="民生")


def standard_records(b: DemoBuilder, venue: Venue, recorded_by) -> list[VenueStandardRecord]:
    roll = b.rng.random()
    items = list(StandardItem.values)
    if roll < 0.05:
        return []
    if roll < 0.15:
        items = b.rng.sample(items, b.rng.randint(1, 3))
    return [
        VenueStandardRecord(
            venue=venue,
            item=item,
            recorded_by=recorded_by,
            met_on=min(
                venue.established_on + dt.timedelta(days=b.rng.randint(0, 120)), b.yesterday
            ),
            note=texts.STANDARD_NOTES[item].format(n=b.rng.randint(4, 20)),
        )
        for item in items
    ]


def _round_robin(capacities: list[int], total: int) -> list[int]:
    """Deal ``total`` items one per district per round, never beyond a district's capacity."""
    if total > sum(capacities):
        raise ValueError(f"Only {sum(capacities)} township names for {total} subdistricts.")
    counts = [0] * len(capacities)
    while total:
        for i, capacity in enumerate(capacities):
            if total and counts[i] < capacity:
                counts[i] += 1
                total -= 1
    return counts


def _township_stem(name: str) -> str:
    """龙泉镇 → 龙泉, 潘家湾土家族乡 → 潘家湾."""
    for suffix in ("土家族乡", "街道", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _node(name: str, code: str, level: int) -> dict:
    return {"data": {"name": name, "code": code, "level": int(level)}}
