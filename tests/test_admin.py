"""The admin registers every model of ours, with search, and its lists open for each role."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from .conftest import client_for

OUR_MODELS = [
    model
    for label in ("platforms", "members", "topics")
    for model in apps.get_app_config(label).get_models()
    # django-simple-history's Historical* tables are read through their model's history page.
    if not model._meta.auto_created and not hasattr(model, "instance_type")
]


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_every_model_is_registered_with_search(model):
    assert admin.site.is_registered(model)
    assert admin.site._registry[model].search_fields


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_changelists_open_for_admin_and_office_staff(world, admin_user, office_staff, model):
    office_staff.is_staff = True
    office_staff.save(update_fields=["is_staff"])
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client_for(admin_user).get(url).status_code == 200
    response = client_for(office_staff).get(url)
    assert response.status_code in (200, 403)  # 403 where the role lacks the view permission
    if model._meta.model_name in ("topic", "venue", "member", "consultation"):
        assert response.status_code == 200


def test_topic_admin_offers_no_bulk_move_that_needs_a_form():
    """交办 and 办结 need departments, a deadline and a public summary: only the topic page asks."""
    from django.contrib import admin as django_admin

    from topics.models import Topic

    names = {action.__name__ for action in django_admin.site._registry[Topic].actions}
    assert "move_to_accepted" in names
    assert not names & {"move_to_referred", "move_to_in_progress", "move_to_resolved"}
