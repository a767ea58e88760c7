"""受理意见 and 分流, 办结方式, 提级, 回访 records and 跟踪问效 records (issue 14).

Existing rows: every topic already 已办结 or later got there through a referral (the old lifecycle
had no other way to 办结), so its 办结方式 is 交办办结. Every stored rating becomes one 回访 record
on the topic's rated_on (method 群众自评 when the resident rated it on the tracking page, else
电话回访; the note says it was carried over). A declined topic's reason stays its event note; no
分流 was recorded before, so it stays empty.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RESOLVED_STATES = ["resolved", "rated", "follow_up", "implemented"]


def fill_existing(apps, schema_editor):
    Topic = apps.get_model("topics", "Topic")
    TopicEvent = apps.get_model("topics", "TopicEvent")
    TopicVisit = apps.get_model("topics", "TopicVisit")
    Topic.objects.filter(status__in=RESOLVED_STATES).update(resolution_kind="referral")
    self_rated = set(
        TopicEvent.objects.filter(kind="rating", note__contains="查询页面提交").values_list(
            "topic_id", flat=True
        )
    )
    rated = Topic.objects.exclude(rating="").filter(rated_on__isnull=False)
    batch = []
    for topic_id, rating, rated_on in rated.values_list("pk", "rating", "rated_on").iterator():
        batch.append(
            TopicVisit(
                topic_id=topic_id,
                visited_on=rated_on,
                method="self" if topic_id in self_rated else "call",
                rating=rating,
                note="(由原评价记录迁移)",
            )
        )
        if len(batch) >= 2000:
            TopicVisit.objects.bulk_create(batch)
            batch = []
    TopicVisit.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0010_lifecycle_of_practice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="decision_reason",
            field=models.TextField(blank=True, verbose_name="受理意见"),
        ),
        migrations.AddField(
            model_name="topic",
            name="elevated_from",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="elevated_to",
                to="topics.topic",
                verbose_name="提级自",
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="redirect_channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("petition", "信访"),
                    ("hotline", "12345热线"),
                    ("judicial", "司法途径"),
                    ("other", "其他渠道"),
                ],
                max_length=16,
                verbose_name="分流渠道",
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="redirect_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="分流说明"),
        ),
        migrations.AddField(
            model_name="topic",
            name="resolution_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("on_spot", "现场解决"),
                    ("agreement", "协商解决"),
                    ("referral", "交办办结"),
                ],
                db_index=True,
                max_length=16,
                verbose_name="办结方式",
            ),
        ),
        migrations.AlterField(
            model_name="topicevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("raised", "提出"),
                    ("transition", "状态变更"),
                    ("referral", "交办部门"),
                    ("reply", "部门答复"),
                    ("rating", "回访"),
                    ("merge", "合并"),
                    ("comment", "备注"),
                    ("edit", "后台修改"),
                    ("reopen", "重新办理"),
                    ("follow_up", "跟踪问效"),
                    ("elevate", "提级"),
                    ("agenda", "列入协商"),
                    ("staff_edit", "修改议题"),
                ],
                default="transition",
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.CreateModel(
            name="TopicVisit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("visited_on", models.DateField(verbose_name="回访日期")),
                ("visitor", models.CharField(blank=True, max_length=32, verbose_name="回访人")),
                (
                    "method",
                    models.CharField(
                        choices=[("call", "电话回访"), ("visit", "上门回访"), ("self", "群众自评")],
                        max_length=8,
                        verbose_name="回访方式",
                    ),
                ),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("satisfied", "满意"),
                            ("basically", "基本满意"),
                            ("unsatisfied", "不满意"),
                        ],
                        max_length=16,
                        verbose_name="群众评价",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="回访记录")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="录入人",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="visits",
                        to="topics.topic",
                        verbose_name="议题",
                    ),
                ),
            ],
            options={
                "verbose_name": "回访",
                "verbose_name_plural": "回访",
                "ordering": ["visited_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="TopicFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("checked_on", models.DateField(verbose_name="跟踪日期")),
                ("text", models.TextField(verbose_name="跟踪情况")),
                ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="进度(%)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="录入人",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="topics.topic",
                        verbose_name="议题",
                    ),
                ),
            ],
            options={
                "verbose_name": "跟踪问效",
                "verbose_name_plural": "跟踪问效",
                "ordering": ["checked_on", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)),
                        name="topic_follow_up_progress_max_100",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_existing, migrations.RunPython.noop),
    ]
