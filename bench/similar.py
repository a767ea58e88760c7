#!/usr/bin/env python
"""Precision and recall of the similar-topic scorer on labelled pairs, and (``--db``) the speed
of the similar-topic query on the bench city.

    .venv/bin/python bench/similar.py --pairs 400
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_search \\
        .venv/bin/python bench/similar.py --pairs 400 --db --runs 20

The pairs come from the demo generator's wording variants (``demo.variants.labelled_pairs``):
a quarter the same problem reworded by another reporter (same or neighbouring community), and
three quarters different problems (the same complaint about another estate, another complaint
about the same estate, another category). Every report of the set is one pool, so the IDF is
the set's, as the portal's is the candidates' of one area. A pair is predicted "the same" when
``topics.similarity`` scores it at or above the threshold. ``--db`` times
``topics.similar.similar_topics`` (the 登记 page's query: candidates from the database, scored
in Python) for titles taken from open topics, signed in as the bench's district office user.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def evaluate(pair_count: int, *, threshold: float | None = None, seed: int = 16) -> dict:
    from demo.variants import labelled_pairs
    from topics import similarity

    threshold = similarity.THRESHOLD if threshold is None else threshold
    pairs = labelled_pairs(pair_count, seed=seed)
    category_ids: dict[str, int] = {}

    def text(report):
        cid = category_ids.setdefault(report.category, len(category_ids) + 1)
        return similarity.TopicText(None, report.title, report.description, cid, report.area_path)

    texts = [(text(p.a), text(p.b)) for p in pairs]
    scorer = similarity.Scorer([t for both in texts for t in both])
    tp = fp = fn = tn = 0
    by_kind: dict[str, list[int]] = {}
    for pair, (a, b) in zip(pairs, texts, strict=True):
        predicted = scorer.score(a, b) >= threshold
        right = by_kind.setdefault(pair.kind, [0, 0])
        right[1] += 1
        right[0] += predicted == pair.same
        if predicted and pair.same:
            tp += 1
        elif predicted:
            fp += 1
        elif pair.same:
            fn += 1
        else:
            tn += 1
    return {
        "pairs": len(pairs),
        "positives": tp + fn,
        "threshold": threshold,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "by_kind": by_kind,
    }


def report(result: dict) -> None:
    print(
        f"pairs {result['pairs']} (same problem: {result['positives']}), "
        f"threshold {result['threshold']:.2f}"
    )
    print(f"tp {result['tp']} fp {result['fp']} fn {result['fn']} tn {result['tn']}")
    print(f"precision {result['precision']:.3f}")
    print(f"recall {result['recall']:.3f}")
    for kind, (right, total) in result["by_kind"].items():
        print(f"  {kind}: {right}/{total} right")


def time_db(runs: int) -> None:
    from bench import common

    common.setup_django()  # refuses a database whose name lacks "bench", and DEBUG
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from topics.lifecycle import OPEN_STATES
    from topics.models import Topic
    from topics.similar import similar_topics

    user = get_user_model().objects.get(username=common.USERS["district"])
    samples = list(
        Topic.objects.visible_to(user)
        .filter(status__in=OPEN_STATES)
        .select_related("area", "category")
        .order_by("-pk")[:runs]
    )
    if not samples:
        sys.exit("no open topics in the bench database")
    timings, found, queries = [], [], []
    for topic in samples:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rows = similar_topics(
                user=user,
                title=topic.title,
                description=topic.description,
                category_id=topic.category_id,
                area=topic.area,
                exclude=[topic.pk],
            )
            timings.append((time.perf_counter() - started) * 1000)
        found.append(len(rows))
        queries.append(len(ctx.captured_queries))
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(
        f"similar_topics on {Topic.objects.count():,} topics, {len(samples)} titles: "
        f"median {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, "
        f"queries {max(queries)}, similar found per title {statistics.mean(found):.1f}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--db", action="store_true", help="also time the query on the bench DB")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    report(evaluate(args.pairs, threshold=args.threshold, seed=args.seed))
    if args.db:
        time_db(args.runs)


if __name__ == "__main__":
    main()
