"""Seed the reference list of sectors (界别): parties, people's organisations and sectors."""

from django.db import migrations

PARTIES = [
    "中共",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "台盟",
    "无党派人士",
]
ORGANIZATIONS = ["共青团", "工会", "妇联", "青联", "工商联"]
SECTORS = [
    "科技界",
    "经济界",
    "农业界",
    "教育界",
    "体育界",
    "新闻出版界",
    "文化艺术界",
    "医药卫生界",
    "对外友好界",
    "社会福利和社会保障界",
    "少数民族界",
    "宗教界",
    "环境资源界",
    "特邀人士",
]


def forwards(apps, schema_editor):
    Sector = apps.get_model("members", "Sector")
    order = 0
    for kind, names in (("party", PARTIES), ("organization", ORGANIZATIONS), ("sector", SECTORS)):
        for name in names:
            order += 10
            Sector.objects.update_or_create(name=name, defaults={"kind": kind, "sort_order": order})


def backwards(apps, schema_editor):
    apps.get_model("members", "Sector").objects.filter(
        name__in=PARTIES + ORGANIZATIONS + SECTORS, members__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
