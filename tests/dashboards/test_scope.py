import pytest
from django.http import Http404

from dashboards.scope import resolve_scope
from topics.models import Consultation, Topic


def test_leader_starts_at_their_own_area(world, district_leader):
    scope = resolve_scope(district_leader)
    assert scope.area == world.district_a
    assert scope.parent_area() is None
    assert [a.name for a in scope.breadcrumb()] == ["西陵区"]


def test_drill_down_to_a_community_and_a_venue(world, leader):
    scope = resolve_scope(leader, area_id=world.community_a.pk)
    assert [a.name for a in scope.breadcrumb()] == ["宜昌市", "西陵区", "学院街道", "桃花岭社区"]
    assert scope.parent_area() == world.subdistrict_a
    assert list(scope.venues_here()) == [world.venue_a]
    venue_scope = resolve_scope(leader, venue_id=world.venue_a.pk)
    assert venue_scope.parent_area() == world.community_a
    assert list(Topic.objects.filter(venue_scope.q())) == [world.topic_a]


def test_area_filter_takes_everything_below(world, leader):
    scope = resolve_scope(leader, area_id=world.district_a.pk)
    assert list(Topic.objects.filter(scope.q())) == [world.topic_a]
    assert list(Consultation.objects.filter(scope.q(area="venue__area"))) == [world.session_a]
    assert list(scope.child_areas()) == [world.subdistrict_a]


@pytest.mark.parametrize("target", ["city", "district_b", "community_b"])
def test_above_or_beside_is_404(world, district_leader, target):
    with pytest.raises(Http404):
        resolve_scope(district_leader, area_id=getattr(world, target).pk)


def test_venue_beside_is_404(world, district_leader):
    with pytest.raises(Http404):
        resolve_scope(district_leader, venue_id=world.venue_b.pk)


def test_admin_starts_at_the_root(world, admin_user):
    assert resolve_scope(admin_user).area == world.city


def test_dashboard_urls_keep_the_node_and_refuse_other_areas(world, district_leader, member_user):
    from django.urls import reverse

    from tests.conftest import client_for

    client = client_for(district_leader)
    response = client.get(reverse("dashboards:home") + "?period=year&year=2025")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/a{world.district_a.pk}/?period=year&year=2025"
    page = client.get(f"/dashboard/a{world.community_a.pk}/")
    assert page.status_code == 200
    assert "学院街道" in page.content.decode()  # breadcrumb back up
    assert client.get(f"/dashboard/a{world.city.pk}/").status_code == 404
    assert client.get(f"/dashboard/v{world.venue_b.pk}/").status_code == 404
    assert client_for(member_user).get(f"/dashboard/a{world.city.pk}/").status_code == 403
