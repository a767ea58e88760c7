"""Residents' photos (issue 16): staff see them on the topic page (served through the topic's
scope) and approve one for the public page; the public tracking page serves approved ones only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View

from consult_portal.views import RoleRequiredMixin

from ..models import Topic, TopicPhoto
from ..permissions import topic_policy
from ..public_selectors import public_topic_or_404
from .topic import ALL_ROLES


def _serve(photo: TopicPhoto) -> FileResponse:
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("照片文件不存在。") from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class TopicPhotoView(RoleRequiredMixin, View):
    """A photo of a topic the user may see (members too: they read the topic page)."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk, photo):
        topic = get_object_or_404(Topic.objects.visible_to(request.user), pk=pk)
        response = _serve(get_object_or_404(TopicPhoto, topic=topic, pk=photo))
        response["Cache-Control"] = "private, no-store"
        return response


class TopicPhotoApproveView(RoleRequiredMixin, View):
    """POST: 允许公开 / 取消公开 a photo (staff who may move the topic)."""

    allowed_roles = topic_policy.roles_for("change")
    http_method_names = ["post"]

    def post(self, request, pk, photo):
        topic = get_object_or_404(topic_policy.instances_user_can(request.user, "change"), pk=pk)
        row = get_object_or_404(TopicPhoto, topic=topic, pk=photo)
        approve = request.POST.get("approve") == "1"
        TopicPhoto.objects.filter(pk=row.pk).update(
            approved=approve,
            approved_by=request.user if approve else None,
            approved_at=timezone.now() if approve else None,
        )
        messages.success(request, "照片已允许公开。" if approve else "照片已取消公开。")
        return redirect("topics:detail", pk=topic.pk)


class PublicTopicPhotoView(View):
    """An approved photo on the public tracking page; anything else is 404."""

    def get(self, request, code, photo):
        topic = public_topic_or_404(code)
        response = _serve(get_object_or_404(TopicPhoto, topic=topic, pk=photo, approved=True))
        response["Cache-Control"] = "public, max-age=3600"
        return response
