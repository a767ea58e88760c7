"""What the bench scripts share: Django set-up with a guarded database, the dataset and its users.

The dataset is the project's own demo city (the ``demo`` app) at a bigger scale, so the rows
have the same shape as the demo: every topic carries the chain of lifecycle moves that led to its
state, referrals with deadlines (some overdue), ratings; sessions have attendance and topics.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cp_bench"
SEED = 20240601

# Usernames the scripts sign in as. ``staff`` is the demo's office user of 西陵区; the city-level
# office user is added by ``ensure_bench_users``; ``admin`` is the demo superuser.
CITY_OFFICE_USERNAME = "bench_city_office"
USERS = {
    "city": CITY_OFFICE_USERNAME,  # office staff whose area is the city: sees all 100,000
    "district": "staff",  # office staff of one district (西陵区)
    "admin": "admin",  # superuser: no area filter at all
}


def setup_django(*, database_url: str | None = None, check_name: bool = True) -> None:
    """Configure Django for a bench run: test-like settings (DEBUG off), the bench database.

    Refuses to go on unless the database name contains "bench": ``--reload`` drops the schema.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult_portal.settings.test")
    os.environ["DATABASE_URL"] = database_url or os.environ.get(
        "DATABASE_URL", DEFAULT_DATABASE_URL
    )
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if check_name and "bench" not in str(db["NAME"]):
        raise SystemExit(
            f"Refusing to run: database name {db['NAME']!r} does not contain 'bench'. "
            f"Point DATABASE_URL at a throw-away database such as {DEFAULT_DATABASE_URL}."
        )
    if settings.DEBUG:
        raise SystemExit("Refusing to run with DEBUG on: timings would include query logging.")


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in ``database_url`` if it is missing."""
    import environ
    import psycopg2
    from psycopg2 import sql

    cfg = environ.Env.db_url_config(database_url)
    if "postgresql" not in cfg["ENGINE"]:
        return
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
            print(f"created database {cfg['NAME']}")
    conn.close()


def bench_scale(topics: int = 100_000, consultations: int = 20_000):
    """The bench city: ~10 districts, 60 subdistricts, 540 communities, 600 venues, 3,000
    members, ``topics`` topics over 3 years and ``consultations`` sessions. Smaller numbers of
    topics shrink the rest in proportion (the smoke test builds a few hundred)."""
    from demo.scale import Scale

    if topics >= 10_000:
        return Scale(
            city="yichang",
            districts=10,
            subdistricts=60,
            # The demo builder puts one venue in each subdistrict and at most one in a
            # community, so 600 venues need 540 communities (the brief's ~300 cannot hold them).
            communities=540,
            venues=600,
            members=3000,
            topics=topics,
            consultations=consultations,
            years=3,
            upcoming_consultations=min(200, consultations // 10),
        )
    return Scale(
        city="yichang",
        districts=2,
        subdistricts=4,
        communities=8,
        venues=12,
        members=40,
        topics=topics,
        consultations=consultations,
        years=3,
        upcoming_consultations=max(1, consultations // 10),
    )


def build_dataset(*, topics: int = 100_000, consultations: int = 20_000, seed: int = SEED):
    """Build the bench city in one transaction; return the builder's counts."""
    from django.db import transaction
    from django.utils import timezone

    from demo.build import DemoBuilder

    with transaction.atomic():
        builder = DemoBuilder(
            scale=bench_scale(topics, consultations),
            seed=seed,
            today=timezone.localdate(),
            # Exactly ``topics`` topics: the figures are quoted per 100,000.
            duplicates=False,
        )
        counts = builder.build()
        ensure_bench_users()
    return counts


def dataset_root():
    from demo.places import CITIES
    from demo.reset import demo_root

    return demo_root(CITIES["yichang"])


def ensure_bench_users() -> None:
    """Add the city-level office user (the demo has a city leader, not a city office user)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from consult_portal.roles import GROUP_OFFICE
    from platforms.models import Profile

    user, _ = get_user_model().objects.get_or_create(username=CITY_OFFICE_USERNAME)
    user.groups.add(Group.objects.get(name=GROUP_OFFICE))
    Profile.objects.update_or_create(
        user=user, defaults={"area": dataset_root(), "display_name": "市政协办公室(基准测试)"}
    )


def reset_schema() -> None:
    """Drop every table of the bench database and migrate again (the name check ran first)."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def load(*, reload: bool = False, topics: int = 100_000, consultations: int = 20_000) -> dict:
    """Make sure the dataset is there (built once, reused after); return counts and load time."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if reload:
        reset_schema()
    info: dict = {"loaded_now": False, "load_seconds": None}
    if dataset_root() is None:
        print(f"loading the bench dataset ({topics:,} topics) ...", flush=True)
        started = time.monotonic()
        build_dataset(topics=topics, consultations=consultations)
        info.update(loaded_now=True, load_seconds=time.monotonic() - started)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"loaded in {info['load_seconds']:.1f} s", flush=True)
    else:
        ensure_bench_users()
    info["counts"] = dataset_counts()
    return info


def dataset_counts() -> dict[str, int]:
    from members.models import Member
    from platforms.models import Area, AreaLevel, Venue
    from topics.models import Consultation, Referral, Topic, TopicEvent

    return {
        "districts": Area.objects.filter(level=AreaLevel.DISTRICT).count(),
        "subdistricts": Area.objects.filter(level=AreaLevel.SUBDISTRICT).count(),
        "communities": Area.objects.filter(level=AreaLevel.COMMUNITY).count(),
        "venues": Venue.objects.count(),
        "members": Member.objects.count(),
        "topics": Topic.objects.count(),
        "overdue topics": Topic.objects.overdue().count(),
        "topic events": TopicEvent.objects.count(),
        "referrals": Referral.objects.count(),
        "sessions": Consultation.objects.count(),
    }


def get_user(key: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=USERS[key])
