"""The audit log: sign-ins, exports, imports, rights and admin writes, read by administrators."""

import io

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from consult_portal.models import AuditAction, AuditEntry

from .conftest import client_for
from .import_sheets import member_sheet, xlsx


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_sign_ins_and_failures_are_recorded_with_the_address(office_staff):
    client = Client()
    client.post(
        reverse("login"), {"username": "staff_a", "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
    )
    client.post(
        reverse("login"), {"username": "staff_a", "password": "demo1234"}, REMOTE_ADDR="203.0.113.9"
    )
    client.post(reverse("logout"), REMOTE_ADDR="203.0.113.9")
    (failed,) = entries(AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.ip, failed.user) == ("staff_a", "203.0.113.9", None)
    (login,) = entries(AuditAction.LOGIN)
    assert (login.user, login.username, login.ip) == (office_staff, "staff_a", "203.0.113.9")
    assert entries(AuditAction.LOGOUT)[0].user == office_staff


def test_an_export_records_who_what_filter_and_how_many_rows(office_staff, world):
    response = client_for(office_staff).get(
        reverse("topics:list"), {"export": "xlsx", "q": "电梯", "page": "2"}
    )
    assert response.status_code == 200
    (entry,) = entries(AuditAction.EXPORT)
    assert entry.user == office_staff
    assert entry.detail == {"what": "议题", "format": "xlsx", "rows": 1, "filters": {"q": "电梯"}}
    assert entry.summary == "导出议题(xlsx,1 行)"


def test_dashboard_workbooks_are_recorded(district_leader, world):
    node = f"a{world.district_a.pk}"
    client = client_for(district_leader)
    client.get(reverse("dashboards:report_xlsx", args=[node]), {"period": "year", "year": "2025"})
    client.get(reverse("dashboards:overview_xlsx", args=[node]))
    client.get(reverse("dashboards:chart_xlsx", args=[node, "trend"]))
    assert [e.user for e in entries(AuditAction.EXPORT)] == [district_leader] * 3


def test_an_import_records_the_file_and_the_counts(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(member_sheet()))
    call_command("import_members", str(path), "--area", "西陵区", stdout=io.StringIO())
    call_command("import_members", str(path), "--area", "西陵区", "--dry-run", stdout=io.StringIO())
    (entry,) = entries(AuditAction.IMPORT)  # the dry run wrote nothing, and records nothing
    assert entry.detail["file"] == "名册.xlsx" and entry.detail["created"] == 2
    assert entry.summary == "导入委员:新增 2 条,更新 0 条"


def test_group_and_permission_changes_are_recorded(office_staff):
    # Making the fixture's account put it in its group: that is recorded too.
    assert [e.summary for e in entries(AuditAction.GROUPS)] == ["staff_a 加入 政协办公室"]
    AuditEntry.objects.all().delete()
    leaders = Group.objects.get(name="领导")
    office_staff.groups.add(leaders)
    leaders.user_set.remove(office_staff)
    leaders.permissions.add(Permission.objects.first())
    summaries = [e.summary for e in entries(AuditAction.GROUPS)]
    assert summaries == ["staff_a 加入 领导", "staff_a 移出 领导"]
    assert entries(AuditAction.PERMISSIONS)[0].summary == "领导 的权限增加"


def test_admin_writes_are_recorded_and_only_administrators_read_the_log(admin_user, office_staff):
    from topics.models import TopicCategory

    category = TopicCategory.objects.get(name="停车难")
    client = client_for(admin_user)
    url = reverse("admin:topics_topiccategory_change", args=[category.pk])
    response = client.post(url, {"name": "停车难(含充电桩)", "sort_order": category.sort_order})
    assert response.status_code == 302
    (entry,) = entries(AuditAction.ADMIN_WRITE)
    assert entry.user == admin_user and "停车难(含充电桩)" in entry.summary

    changelist = reverse("admin:consult_portal_auditentry_changelist")
    assert client.get(changelist).status_code == 200
    office_staff.is_staff = True
    office_staff.save(update_fields=["is_staff"])
    assert client_for(office_staff).get(changelist).status_code == 403

    response = client.post(
        changelist,
        {"action": "export_csv", "_selected_action": [e.pk for e in AuditEntry.objects.all()]},
    )
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0] == "时间,操作,用户名,IP 地址,页面,内容,详情"
    assert "管理后台修改" in text and "root" in text
