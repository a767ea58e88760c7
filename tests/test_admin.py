"""The admin registers every model of ours, with search, and its lists open for each role."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
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


# --- what the lifecycle owns is not the admin's to change -------------------------------------


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = getattr(value, "pk", value)
        data[form.add_prefix(name)] = "" if value is None else value
        if field.show_hidden_initial:  # fields with a callable default, as the page renders them
            data[form.add_initial_prefix(name)] = data[form.add_prefix(name)]
    return data


def _change(client, model, obj, **data):
    """POST the admin's change form as the page shows it, with ``data`` typed over it."""
    url = reverse(f"admin:topics_{model}_change", args=[obj.pk])
    page = client.get(url).context
    post = _form_data(page["adminform"].form)
    for inline in page["inline_admin_formsets"]:
        formset = inline.formset
        post.update(_form_data(formset.management_form))
        for form in formset.forms:
            post.update(_form_data(form))
    post.update(data)
    return client.post(url, post)


def test_staff_cannot_forge_a_rating_or_a_state_in_the_admin(world, admin_user):
    from topics.models import EventKind, Topic

    topic = world.topic_a
    client = client_for(admin_user)
    response = _change(
        client,
        "topic",
        topic,
        title="加装电梯(后台改名)",
        status="rated",
        rating="satisfied",
        rated_on="2026-01-01",
        resolved_on="2026-01-01",
    )
    assert response.status_code == 302
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.title == "加装电梯(后台改名)"
    assert (topic.status, topic.rating, topic.rated_on, topic.resolved_on) == (
        world.topic_a.status,
        "",
        None,
        None,
    )
    event = topic.events.get(kind=EventKind.EDIT)
    assert event.actor == admin_user and "标题" in event.note
    assert event.from_status == event.to_status == topic.status
    # The public tracker shows no rating the resident never gave.
    html = Client().get(reverse("public:track", args=[topic.tracking_code])).content.decode()
    assert "满意" not in html


def test_a_save_that_changes_nothing_leaves_no_event(world, admin_user):
    from topics.models import EventKind

    assert _change(client_for(admin_user), "topic", world.topic_a).status_code == 302
    assert not world.topic_a.events.filter(kind=EventKind.EDIT).exists()


def test_topics_are_not_added_in_the_admin(admin_user):
    assert client_for(admin_user).get(reverse("admin:topics_topic_add")).status_code == 403


def test_a_referral_edited_in_the_admin_leaves_an_event_and_keeps_its_reply(world, admin_user):
    from tests.factories import ReferralFactory
    from topics.models import EventKind

    referral = ReferralFactory(topic=world.topic_a, department=world.department_a, reply="已答复")
    response = _change(
        client_for(admin_user), "referral", referral, deadline="2031-01-31", reply="伪造的答复"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral.refresh_from_db()
    assert str(referral.deadline) == "2031-01-31" and referral.reply == "已答复"
    event = world.topic_a.events.get(kind=EventKind.EDIT)
    assert "交办记录" in event.note and "办理期限" in event.note


def test_an_attachment_added_in_the_admin_is_checked_and_stored(
    world, admin_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.topics.session_helpers import PDF
    from topics.models import ConsultationAttachment

    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin_user)
    url = reverse("admin:topics_consultationattachment_add")
    session = world.session_a
    bad = SimpleUploadedFile("页面.html", PDF, content_type="text/html")
    response = client.post(url, {"consultation": session.pk, "file": bad})
    assert response.status_code == 200
    assert "扩展名是 .html,但文件内容是 PDF" in response.content.decode()
    assert not ConsultationAttachment.objects.exists()

    good = SimpleUploadedFile("签到表.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"consultation": session.pk, "file": good})
    assert response.status_code == 302
    attachment = ConsultationAttachment.objects.get()
    assert attachment.original_name == "签到表.pdf"
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    assert attachment.uploaded_by == admin_user and attachment.file.name.endswith(".pdf")
