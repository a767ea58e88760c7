#!/usr/bin/env python
"""Load test: the portal under gunicorn with the production settings, N clients at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_search \\
        .venv/bin/python bench/load.py                   # 32 clients, 15 s a scenario

Steps: make sure the bench dataset and its users are there (``bench/common.py``, built on
first use), run ``collectstatic`` (into ``var/staticfiles``, the hashed names production
needs), start gunicorn
(``consult_portal.wsgi``, ``consult_portal.settings.production``) on the bench database with
Redis as the cache, sign each user in once through the login form, then for each scenario let
``--clients`` asyncio clients send requests back to back for ``--duration`` seconds (after
``--warmup`` seconds not counted). Printed per scenario: requests per second, p50/p95/p99
latency, errors (a status other than the expected one, or no answer), KiB per response, and the
CPU per request of the gunicorn workers and of the PostgreSQL backends serving the bench
database (parallel workers included, sampled from /proc every 50 ms), beside the machine's load
average. The first scenario, ``bare``, is ``/healthz`` (a middleware that answers before the
session, one ``SELECT 1`` and one cache round trip): what a request costs before the portal's
pages do anything.

Options: --clients 32, --duration 15, --warmup 2, --only home_city,topics,...,
--workers 3, --threads 1 (more than one: the gthread worker), --port 8765,
--gunicorn-args "...", --json FILE (the figures, for comparing runs).

The ``transition`` scenario accepts raised topics of the city (raised → accepted, one topic
per request): each run uses up a few hundred of the ~1,900 (the run says how many are left;
``bench/lists.py --reload`` rebuilds the dataset). Refuses a database whose name lacks
``bench``, like the other scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

PASSWORD = "bench-load-1234"
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Scenario:
    name: str
    label: str
    user: str | None  # a key of the signed-in users, None for anonymous
    paths: list[str]  # clients cycle through them
    method: str = "GET"
    expect: int = 200
    form: dict | None = None  # POST body (the CSRF token is added)
    pool: list[str] | None = None  # POST paths used once each (transitions)


@dataclass
class Result:
    name: str
    label: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bytes: int = 0
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)

    @property
    def count(self) -> int:
        return len(self.latencies)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    def as_dict(self) -> dict:
        n = max(self.count, 1)
        return {
            "name": self.name,
            "label": self.label,
            "requests": self.count,
            "rps": self.count / self.seconds if self.seconds else 0,
            "p50_ms": self.pct(50),
            "p95_ms": self.pct(95),
            "p99_ms": self.pct(99),
            "errors": self.errors,
            "kib": self.bytes / n / 1024,
            "app_cpu_ms": self.app_cpu * 1000 / n,
            "db_cpu_ms": self.db_cpu * 1000 / n,
            "load_start": self.load[0],
            "load_end": self.load[1],
        }


# --- the data the scenarios need ---------------------------------------------------------------


def prepare(database_url: str) -> dict:
    """Dataset, passwords, and the URLs of each scenario (read once, before gunicorn starts)."""
    common.setup_django(database_url=database_url)
    common.load()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connection
    from django.urls import reverse

    from dashboards.scope import resolve_scope
    from platforms.models import Venue
    from topics.models import Topic, TopicStatus

    PBKDF2 = PBKDF2PasswordHasher()
    User = get_user_model()
    users = {
        "city": common.CITY_OFFICE_USERNAME,
        "district": "staff",
        "leader": "leader",
        "member": "member",
    }
    for username in users.values():
        user = User.objects.get(username=username)
        # Hashed with production's hasher (the bench settings use a fast one production lacks).
        stored = user.password
        if not (stored.startswith("pbkdf2_sha256$") and PBKDF2.verify(PASSWORD, stored)):
            user.password = PBKDF2.encode(PASSWORD, PBKDF2.salt())
            user.save(update_fields=["password"])
    city = User.objects.get(username=users["city"])
    leader = User.objects.get(username=users["leader"])
    city_topics = Topic.objects.visible_to(city).order_by("pk")
    step = max(1, city_topics.count() // 50)
    topic_ids = list(city_topics.values_list("pk", flat=True)[::step][:50])
    codes = list(city_topics.values_list("tracking_code", flat=True)[::step][:50])
    venues = list(Venue.objects.active().order_by("pk").values_list("code", flat=True)[:50])
    raised = list(
        Topic.objects.visible_to(city)
        .filter(status=TopicStatus.RAISED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    data = {
        "users": users,
        "topics": [reverse("topics:detail", args=[pk]) for pk in topic_ids],
        "tracker": [reverse("public:track", args=[code]) for code in codes if code],
        "venues": [reverse("public:venue", args=[code]) for code in venues if code],
        "transitions": [reverse("topics:transition", args=[pk]) for pk in raised],
        "dashboard": reverse("dashboards:overview", args=[resolve_scope(leader).key]),
    }
    connection.close()
    return data


def scenarios(data: dict) -> list[Scenario]:
    q = quote("电梯")
    return [
        Scenario("bare", "bare view (/healthz)", None, ["/healthz"]),
        Scenario("home_city", "staff home /, city office", "city", ["/"]),
        Scenario("home_district", "staff home /, district office", "district", ["/"]),
        Scenario("topics", "topic list /topics/", "city", ["/topics/"]),
        Scenario(
            "topics_status",
            "topic list, status filter",
            "city",
            ["/topics/?status=referred&status=in_progress"],
        ),
        Scenario("topics_q", "topic list, keyword 电梯", "city", [f"/topics/?q={q}"]),
        Scenario("topics_page200", "topic list, page 200", "city", ["/topics/?page=200"]),
        Scenario("topic", "topic page (50 topics)", "city", data["topics"]),
        Scenario("sessions", "session list", "city", ["/topics/consultations/"]),
        Scenario("member_home", "member home /", "member", ["/"]),
        Scenario("dashboard", "leader's city dashboard", "leader", [data["dashboard"]]),
        Scenario("venue_public", "public venue page (anonymous)", None, data["venues"]),
        Scenario("tracker", "public tracker (anonymous)", None, data["tracker"]),
        Scenario(
            "transition",
            "transition raised → accepted",
            "city",
            [],
            method="POST",
            expect=302,
            form={"to": "accepted", "from": "raised", "note": ""},
            pool=list(data["transitions"]),
        ),
    ]


# --- a small HTTP/1.1 client (one connection per request: gunicorn's sync worker closes it) -----


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def cookies(self) -> dict[str, str]:
        jar = {}
        for name, value in self.headers:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                jar[key.strip()] = val.strip().strip('"')
        return jar


async def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Response:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: localhost:{port}",
            "Connection: close",
            # Production redirects plain HTTP; the proxy in front says it was HTTPS.
            "X-Forwarded-Proto: https",
            "User-Agent: bench-load",
        ]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        if method == "POST":
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    if not head_lines or not head_lines[0].startswith("HTTP/"):
        raise ConnectionError("no HTTP answer")
    status = int(head_lines[0].split(" ")[1])
    parsed = []
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        parsed.append((name.strip().lower(), value.strip()))
    if ("transfer-encoding", "chunked") in parsed:
        payload = dechunk(payload)
    return Response(status, parsed, payload)


def dechunk(data: bytes) -> bytes:
    out, rest = bytearray(), data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


async def sign_in(port: int, username: str) -> dict[str, str]:
    """The real login form: GET for the CSRF cookie, POST the password, keep the session."""
    page = await request(port, "GET", "/accounts/login/")
    jar = page.cookies()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    form = {"username": username, "password": PASSWORD}
    form["csrfmiddlewaretoken"] = token.group(1).decode() if token else jar.get("csrftoken", "")
    answer = await request(
        port,
        "POST",
        "/accounts/login/",
        cookies=jar,
        body=urlencode(form).encode(),
        headers={"Referer": f"https://localhost:{port}/accounts/login/"},
    )
    jar.update(answer.cookies())
    if answer.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"could not sign in as {username}: HTTP {answer.status}")
    return jar


# --- CPU of the app and of PostgreSQL ------------------------------------------------------------


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a process in seconds (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


class CpuSampler:
    """CPU seconds used between ``start()`` and ``stop()`` by the gunicorn workers and by the
    PostgreSQL processes of the bench database (its backends, and parallel workers of them).

    /proc is read every 50 ms so short-lived processes are counted up to their last sample;
    processes that already existed at ``start()`` count from their value then."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid, self.database = gunicorn_pid, database
        self._stop = threading.Event()

    def _postgres_pids(self) -> set[int]:
        backends, workers = set(), {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if not cmd.startswith("postgres: "):
                continue
            parts = cmd.split()
            # "postgres: 15/main: <user> <database> <client> <state>"
            if len(parts) >= 4 and parts[3] == self.database:
                backends.add(int(entry))
            match = re.search(r"parallel worker for PID (\d+)", cmd)
            if match:
                workers[int(entry)] = int(match.group(1))
        return backends | {pid for pid, leader in workers.items() if leader in backends}

    def _pids(self) -> tuple[set[int], set[int]]:
        return set(children(self.gunicorn_pid)), self._postgres_pids()

    def _sample(self, first: bool = False) -> None:
        app, db = self._pids()
        for kind, pids in (("app", app), ("db", db)):
            for pid in pids:
                cpu = proc_cpu(pid)
                if cpu is None:
                    continue
                key = (kind, pid)
                if key not in self.first:
                    self.first[key] = cpu if first else 0.0
                self.last[key] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()

    def start(self) -> None:
        self.first: dict = {}
        self.last: dict = {}
        self._stop.clear()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        self._sample()
        totals = {"app": 0.0, "db": 0.0}
        for key, last in self.last.items():
            totals[key[0]] += last - self.first[key]
        return totals["app"], totals["db"]


# --- running a scenario ---------------------------------------------------------------------


async def run_scenario(
    port: int,
    scenario: Scenario,
    jars: dict[str, dict[str, str]],
    *,
    clients: int,
    duration: float,
    warmup: float,
    sampler: CpuSampler,
) -> Result:
    result = Result(scenario.name, scenario.label)
    jar = jars.get(scenario.user, {}) if scenario.user else {}
    headers = {"Referer": f"https://localhost:{port}/"}
    pool = list(scenario.pool or [])
    pool.reverse()
    counting = False
    deadline = time.monotonic() + warmup + duration

    async def client(index: int) -> None:
        turn = index
        while time.monotonic() < deadline:
            if scenario.pool is not None:
                if not pool:
                    return
                path = pool.pop()
            else:
                path = scenario.paths[turn % len(scenario.paths)]
                turn += clients
            body = b""
            if scenario.method == "POST":
                form = dict(scenario.form or {}, csrfmiddlewaretoken=jar.get("csrftoken", ""))
                body = urlencode(form).encode()
            started = time.monotonic()
            try:
                answer = await request(
                    port, scenario.method, path, cookies=jar, body=body, headers=headers
                )
            except (OSError, TimeoutError, ValueError) as error:
                if counting:
                    result.errors += 1
                    if len(result.error_samples) < 3:
                        result.error_samples.append(f"{path}: {error!r}")
                continue
            elapsed = time.monotonic() - started
            # Requests that end inside the measured window count (the CPU is sampled there).
            if not counting:
                continue
            if answer.status != scenario.expect:
                result.errors += 1
                if len(result.error_samples) < 3:
                    result.error_samples.append(f"{path}: HTTP {answer.status}")
                continue
            result.latencies.append(elapsed)
            result.bytes += len(answer.body)

    async def clock() -> None:
        nonlocal counting
        await asyncio.sleep(warmup)
        result.load = (os.getloadavg()[0], 0.0)
        sampler.start()
        counting = True
        begun = time.monotonic()
        await asyncio.sleep(max(0.0, deadline - time.monotonic()))
        counting = False
        result.seconds = time.monotonic() - begun
        result.app_cpu, result.db_cpu = sampler.stop()
        result.load = (result.load[0], os.getloadavg()[0])

    await asyncio.gather(clock(), *(client(i) for i in range(clients)))
    if scenario.pool is not None:
        print(f"    {len(pool)} raised topics left for the next runs", flush=True)
        if not pool:
            result.error_samples.append("ran out of raised topics: bench/lists.py --reload")
    return result


# --- gunicorn ---------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, preferred))
            return preferred
        except OSError:
            sock.bind((HOST, 0))
            return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="consult_portal.settings.production",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
        DJANGO_CACHE_URL=redis_url,
        PORTAL_BASE_URL="https://localhost",
        DJANGO_LOG_LEVEL="ERROR",
        # Mails of the transitions go nowhere (no SMTP server here); building them still counts.
        DJANGO_EMAIL_URL="dummymail://",
    )
    return env


def start_gunicorn(args, env: dict, port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "consult_portal.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        *shlex.split(args.gunicorn_args),
    ]
    process = subprocess.Popen(command, cwd=args.code, env=env, start_new_session=True)
    for _ in range(300):
        time.sleep(0.1)
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                pass
        except OSError:
            continue
        if len(children(process.pid)) >= args.workers:
            return process
    raise SystemExit("gunicorn did not start in 30 s")


def print_table(results: list[Result]) -> None:
    print()
    print(
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | KiB | CPU ms app + PostgreSQL "
        "| load 1 min |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        d = result.as_dict()
        print(
            f"| {d['label']} | {d['rps']:,.1f} | {d['p50_ms']:,.0f} | {d['p95_ms']:,.0f} "
            f"| {d['p99_ms']:,.0f} | {d['errors']} | {d['kib']:.0f} "
            f"| {d['app_cpu_ms']:.1f} + {d['db_cpu_ms']:.1f} "
            f"| {d['load_start']:.1f} → {d['load_end']:.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before counting")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--skip", default="", help="comma-separated scenario names")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help=">1 runs the gthread worker")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default="", help="write the figures to this file")
    parser.add_argument(
        "--code",
        default=str(common.ROOT),
        help="checkout gunicorn serves (a worktree of an older commit, for before/after)",
    )
    args = parser.parse_args(argv)

    database_url = args.database_url or os.environ.get("DATABASE_URL", common.DEFAULT_DATABASE_URL)
    common.ensure_database(database_url)
    data = prepare(database_url)
    database = database_url.rsplit("/", 1)[1].split("?")[0]
    chosen = [s for s in scenarios(data)]
    if args.only:
        wanted = set(args.only.split(","))
        chosen = [s for s in chosen if s.name in wanted or s.name == "bare"]
    if args.skip:
        chosen = [s for s in chosen if s.name not in set(args.skip.split(","))]

    env = server_env(database_url, args.redis_url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=args.code,
        env=env,
        check=True,
    )
    port = free_port(args.port)
    server = start_gunicorn(args, env, port)
    print(
        f"gunicorn pid {server.pid} on :{port}: {args.workers} workers × {args.threads} "
        f"threads; {args.clients} clients, {args.duration:g} s a scenario "
        f"(+{args.warmup:g} s warm-up); database {database}",
        flush=True,
    )
    results = []
    try:
        jars = {
            key: asyncio.run(sign_in(port, username)) for key, username in data["users"].items()
        }
        sampler = CpuSampler(server.pid, database)
        for scenario in chosen:
            result = asyncio.run(
                run_scenario(
                    port,
                    scenario,
                    jars,
                    clients=args.clients,
                    duration=args.duration,
                    warmup=args.warmup,
                    sampler=sampler,
                )
            )
            d = result.as_dict()
            print(
                f"{scenario.name:15} {d['rps']:8.1f} req/s  p50 {d['p50_ms']:7.0f}  "
                f"p95 {d['p95_ms']:7.0f}  p99 {d['p99_ms']:7.0f} ms  errors {d['errors']}  "
                f"{d['kib']:5.0f} KiB  CPU {d['app_cpu_ms']:5.1f} + {d['db_cpu_ms']:5.1f} ms",
                flush=True,
            )
            for sample in result.error_samples:
                print(f"    error: {sample}")
            results.append(result)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print_table(results)
    if args.json:
        Path(args.json).write_text(
            json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1)
        )
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
