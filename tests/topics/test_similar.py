"""Similar topics (issue 16): the scorer, the panel while typing, 合并 / 不是同一问题, the queue's
flag for a resident's report, the clusters page, and the measuring script."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import VenueFactory
from topics import similarity
from topics.lifecycle import TopicStatus
from topics.models import PairVerdict, Topic, TopicCategory, TopicPair

pytestmark = pytest.mark.django_db

WALL = "阳光花园外墙脱落存在安全隐患"
WALL_AGAIN = "居民反映阳光花园外墙脱落有安全风险,希望尽快解决"
OTHER_ESTATE = "幸福家园外墙脱落存在安全隐患"
DESCRIPTION = "阳光花园建成于上世纪九十年代,外墙瓷砖多处脱落,居民担心砸伤行人。"


@pytest.fixture
def estate(db):
    return TopicCategory.objects.get_or_create(name="老旧小区改造")[0]


def _topic(world, title, category, *, venue=None, status=TopicStatus.RAISED, area=None):
    venue = venue or world.venue_a
    return Topic.objects.create(
        title=title,
        description=DESCRIPTION if "阳光" in title else "",
        source="resident",
        category=category,
        area=area or venue.area,
        venue=venue,
        status=status,
    )


# --- the scorer ---------------------------------------------------------------------------


def test_the_same_wall_reworded_scores_above_the_threshold_another_estate_below():
    query = similarity.TopicText(None, WALL_AGAIN, DESCRIPTION, 1, "0001000100010001")
    same = similarity.TopicText(1, WALL, DESCRIPTION, 1, "0001000100010002")
    other = similarity.TopicText(2, OTHER_ESTATE, "", 1, "0001000100010001")
    unrelated = similarity.TopicText(3, "学院路段停车难", "", 2, "0001000100010001")
    ranked = similarity.rank(query, [same, other, unrelated])
    assert [text.key for text, _ in ranked] == [1]
    assert ranked[0][1] >= similarity.THRESHOLD


def test_place_names_are_read_from_the_title():
    assert similarity.place_names(similarity.normalise(WALL)) == {"阳光花园"}
    assert similarity.names_agree(frozenset({"阳光花园"}), frozenset({"幸福家园"})) == -1
    assert similarity.names_agree(frozenset(), frozenset({"幸福家园"})) == 0


def test_clusters_join_reports_of_one_problem_and_leave_the_rest():
    texts = [
        similarity.TopicText(1, WALL, DESCRIPTION, 1, "0001000100010001"),
        similarity.TopicText(2, WALL_AGAIN, DESCRIPTION, 1, "0001000100010002"),
        similarity.TopicText(3, OTHER_ESTATE, "", 1, "0001000100010001"),
        similarity.TopicText(4, "学院路段停车难", "", 2, "0001000100010001"),
    ]
    groups = similarity.clusters(texts)
    assert [sorted(t.key for t in g) for g in groups] == [[1, 2]]


# --- the panel while typing ---------------------------------------------------------------


def test_panel_lists_open_similar_topics_of_the_area_with_venue_and_status(
    world, office_staff, estate
):
    same = _topic(world, WALL, estate)
    _topic(world, OTHER_ESTATE, estate)
    _topic(world, WALL, estate, status=TopicStatus.RESOLVED)  # not open: not offered
    elsewhere = _topic(world, WALL, estate, venue=world.venue_b)  # another district
    response = client_for(office_staff).get(
        reverse("topics:similar"),
        {"title": WALL_AGAIN, "category": estate.pk, "venue": world.venue_a.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    offered = [int(pk) for pk in re.findall(r'data-topic="(\d+)"', html)]
    assert offered == [same.pk]
    assert elsewhere.pk not in offered
    assert world.venue_a.name in html and "待受理" in html
    assert f'name="merge_into" value="{same.pk}"' in html
    assert f'data-not-same="{same.pk}"' in html


def test_panel_is_empty_for_a_short_title_and_refused_to_members(world, office_staff, member_user):
    response = client_for(office_staff).get(reverse("topics:similar"), {"title": "a"})
    assert response.status_code == 200 and "data-topic=" not in response.content.decode()
    refused = client_for(member_user).get(reverse("topics:similar"), {"title": WALL})
    assert refused.status_code == 403
    anonymous = Client().get(reverse("topics:similar"), {"title": WALL})
    assert anonymous.status_code == 302


def test_registering_with_merge_folds_the_new_topic_into_the_chosen_one(
    world, office_staff, estate
):
    same = _topic(world, WALL, estate)
    response = client_for(office_staff).post(
        reverse("topics:create"),
        {
            "title": WALL_AGAIN,
            "description": DESCRIPTION,
            "source": "resident",
            "category": estate.pk,
            "priority": 2,
            "area": world.community_a.pk,
            "venue": world.venue_a.pk,
            "raised_on": "2026-12-01",
            "merge_into": same.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("topics:detail", args=[same.pk])
    new = Topic.objects.get(title=WALL_AGAIN)
    assert new.status == TopicStatus.MERGED and new.merged_into_id == same.pk
    assert same.events.filter(kind="merge").count() == 1


def test_registering_with_not_same_remembers_the_pair(world, office_staff, estate, other_staff):
    same = _topic(world, WALL, estate)
    elsewhere = _topic(world, WALL, estate, venue=world.venue_b)
    response = client_for(office_staff).post(
        reverse("topics:create"),
        {
            "title": WALL_AGAIN,
            "source": "resident",
            "category": estate.pk,
            "priority": 2,
            "area": world.community_a.pk,
            "venue": world.venue_a.pk,
            "raised_on": "2026-12-01",
            "not_same": [same.pk, elsewhere.pk],  # the other district's id is ignored
        },
    )
    assert response.status_code == 302
    new = Topic.objects.get(title=WALL_AGAIN)
    assert new.status == TopicStatus.RAISED
    pairs = list(TopicPair.objects.values_list("low_id", "high_id", "verdict"))
    assert pairs == [(same.pk, new.pk, PairVerdict.NOT_SAME)]
    # The new topic's page no longer offers the pair.
    page = client_for(office_staff).get(reverse("topics:detail", args=[new.pk]))
    assert f'data-topic="{same.pk}"' not in page.content.decode()


# --- the topic page -----------------------------------------------------------------------


def test_topic_page_offers_merge_and_not_same_and_remembers_the_answer(
    world, office_staff, estate, leader
):
    same = _topic(world, WALL, estate)
    again = _topic(world, WALL_AGAIN, estate)
    staff = client_for(office_staff)
    html = staff.get(reverse("topics:detail", args=[again.pk])).content.decode()
    assert f'data-topic="{same.pk}"' in html
    assert reverse("topics:merge", args=[again.pk]) in html
    # Leaders read: no panel.
    read = client_for(leader).get(reverse("topics:detail", args=[again.pk])).content.decode()
    assert 'data-topic="' not in read

    response = staff.post(reverse("topics:not_same", args=[again.pk, same.pk]))
    assert response.status_code == 302
    pair = TopicPair.objects.get()
    assert (pair.verdict, pair.decided_by) == (PairVerdict.NOT_SAME, office_staff)
    html = staff.get(reverse("topics:detail", args=[again.pk])).content.decode()
    assert f'data-topic="{same.pk}"' not in html


def test_not_same_with_another_areas_topic_answers_404(world, office_staff, other_staff, estate):
    mine = _topic(world, WALL, estate)
    theirs = _topic(world, WALL, estate, venue=world.venue_b)
    response = client_for(office_staff).post(reverse("topics:not_same", args=[mine.pk, theirs.pk]))
    assert response.status_code == 404
    response = client_for(other_staff).post(reverse("topics:not_same", args=[mine.pk, theirs.pk]))
    assert response.status_code == 404
    assert not TopicPair.objects.exists()


# --- a resident's report arriving in the queue ---------------------------------------------


def test_a_residents_report_like_an_open_topic_is_flagged_in_the_queue(world, office_staff, estate):
    same = _topic(world, WALL, estate)
    response = Client().post(
        "/v/xl-001/", {"text": WALL_AGAIN + "\n" + DESCRIPTION, "category": estate.pk}
    )
    assert response.status_code == 302
    new = Topic.objects.get(title=WALL_AGAIN)
    pair = TopicPair.objects.get()
    assert (pair.low_id, pair.high_id, pair.verdict) == (same.pk, new.pk, PairVerdict.SUGGESTED)
    html = client_for(office_staff).get("/").content.decode()
    waiting = html[html.index('id="waiting"') :]
    waiting = waiting[: waiting.index("</section>")]
    row = next(line for line in waiting.splitlines() if f"/topics/{new.pk}/" in line)
    assert "可能重复" in row
    other = next(line for line in waiting.splitlines() if f"/topics/{world.topic_a.pk}/" in line)
    assert "可能重复" not in other


# --- clusters per area --------------------------------------------------------------------


def test_clusters_page_groups_one_problem_raised_at_two_venues(
    world, office_staff, estate, member_user
):
    second_venue = VenueFactory(name="学院协商议事厅", code="xl-002", area=world.community_a)
    first = _topic(world, WALL, estate)
    again = _topic(world, WALL_AGAIN, estate, venue=second_venue)
    _topic(world, OTHER_ESTATE, estate)
    _topic(world, WALL, estate, venue=world.venue_b)  # another district: never shown
    response = client_for(office_staff).get(reverse("topics:similar_clusters"))
    assert response.status_code == 200
    html = response.content.decode()
    groups = re.findall(r'<section class="card mb-3 cluster".*?</section>', html, re.S)
    assert len(groups) == 1
    shown = sorted(int(pk) for pk in re.findall(r'href="/topics/(\d+)/"', groups[0]))
    assert shown == sorted([first.pk, again.pk])
    assert "2 个阵地" in groups[0]
    assert client_for(member_user).get(reverse("topics:similar_clusters")).status_code == 403


# --- the measuring script -----------------------------------------------------------------


def test_bench_script_computes_precision_and_recall_from_the_pairs():
    from bench import similar

    out = io.StringIO()
    with redirect_stdout(out):
        similar.main(["--pairs", "40"])
    text = out.getvalue()
    figures = dict(re.findall(r"^(precision|recall) ([\d.]+)$", text, re.M))
    counts = dict(
        (k, int(v)) for k, v in re.findall(r"\b(tp|fp|fn|tn) (\d+)", text.splitlines()[1])
    )
    assert sum(counts.values()) == 40
    assert float(figures["precision"]) == pytest.approx(
        counts["tp"] / (counts["tp"] + counts["fp"]), abs=5e-4
    )
    assert float(figures["recall"]) == pytest.approx(
        counts["tp"] / (counts["tp"] + counts["fn"]), abs=5e-4
    )
    # The figures follow the threshold: everything is "the same" at -1, nothing above 2.
    everything = similar.evaluate(40, threshold=-1.0)
    assert everything["fn"] == 0 and everything["tn"] == 0
    nothing = similar.evaluate(40, threshold=2.0)
    assert nothing["tp"] == 0 and nothing["recall"] == 0.0
    assert similar.evaluate(200)["precision"] >= 0.8
