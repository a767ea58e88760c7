"""Seed the topic categories seen in practice (DESIGN.md); offices may add more."""

from django.db import migrations

CATEGORIES = [
    "老旧小区改造",
    "加装电梯",
    "停车难",
    "燃气管道改造",
    "农村饮水安全",
    "道路修复",
    "污水处理",
    "营商环境",
    "养老服务",
    "托育",
    "乡村振兴",
    "矛盾纠纷",
    "其他",
]


def forwards(apps, schema_editor):
    TopicCategory = apps.get_model("topics", "TopicCategory")
    for index, name in enumerate(CATEGORIES, start=1):
        TopicCategory.objects.update_or_create(name=name, defaults={"sort_order": index * 10})


def backwards(apps, schema_editor):
    apps.get_model("topics", "TopicCategory").objects.filter(
        name__in=CATEGORIES, topics__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("topics", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
