import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

GROUP_UNIT = "承办单位"  # consult_portal.roles.GROUP_UNIT, written out: migrations stay frozen


def forwards(apps, schema_editor):
    """The group of units' accounts (no admin permissions: units use their own pages)."""
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP_UNIT)


def existing_referrals(apps, schema_editor):
    """Referrals made before units signed for them: one the unit has answered, or whose topic
    is being handled or closed, was taken on the day it was referred; a reply on a topic that
    was then resolved counts as class A (已解决). Unanswered referrals of topics still 交办 stay
    待签收."""
    Referral = apps.get_model("topics", "Referral")
    handled = [
        "in_progress",
        "replied",
        "resolved",
        "rated",
        "follow_up",
        "implemented",
        "unresolved",
        "escalated",
        "reported",
    ]
    Referral.objects.filter(signed_on__isnull=True).filter(
        models.Q(replied_on__isnull=False) | models.Q(topic__status__in=handled)
    ).update(signed_on=F("referred_on"))
    Referral.objects.filter(
        replied_on__isnull=False,
        topic__status__in=["resolved", "rated", "follow_up", "implemented"],
    ).update(reply_class="A")


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0012_department_kind"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferralAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(upload_to="replies/%Y/%m/", verbose_name="文件")),
                ("original_name", models.CharField(max_length=200, verbose_name="文件名")),
                ("content_type", models.CharField(max_length=100, verbose_name="类型")),
                ("size", models.PositiveIntegerField(verbose_name="大小(字节)")),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="上传时间"
                    ),
                ),
            ],
            options={
                "verbose_name": "答复附件",
                "verbose_name_plural": "答复附件",
                "ordering": ["uploaded_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ReferralExtension",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(verbose_name="延期理由")),
                ("old_deadline", models.DateField(verbose_name="原办理期限")),
                ("new_deadline", models.DateField(verbose_name="申请延至")),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="申请时间"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "待审核"),
                            ("granted", "已同意"),
                            ("refused", "未同意"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="审核结果",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="审核时间"),
                ),
                ("decision_note", models.TextField(blank=True, verbose_name="审核意见")),
            ],
            options={
                "verbose_name": "延期申请",
                "verbose_name_plural": "延期申请",
                "ordering": ["requested_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="UnitAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("display_name", models.CharField(blank=True, max_length=32, verbose_name="姓名")),
            ],
            options={
                "verbose_name": "承办单位账号",
                "verbose_name_plural": "承办单位账号",
            },
        ),
        migrations.RemoveConstraint(
            model_name="referral",
            name="referral_topic_department_unique",
        ),
        migrations.RemoveConstraint(
            model_name="referral",
            name="referral_one_lead_per_topic",
        ),
        migrations.AddField(
            model_name="referral",
            name="original_deadline",
            field=models.DateField(blank=True, null=True, verbose_name="原办理期限"),
        ),
        migrations.AddField(
            model_name="referral",
            name="planned_on",
            field=models.DateField(blank=True, null=True, verbose_name="计划完成日期"),
        ),
        migrations.AddField(
            model_name="referral",
            name="reply_class",
            field=models.CharField(
                blank=True,
                choices=[
                    ("A", "A类 已解决"),
                    ("B", "B类 正在解决·列入计划"),
                    ("C", "C类 因条件限制暂不能解决·已解释"),
                ],
                max_length=1,
                verbose_name="答复类别",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="return_reason",
            field=models.TextField(blank=True, verbose_name="退回原因"),
        ),
        migrations.AddField(
            model_name="referral",
            name="returned_on",
            field=models.DateField(blank=True, null=True, verbose_name="退回日期"),
        ),
        migrations.AddField(
            model_name="referral",
            name="signed_on",
            field=models.DateField(blank=True, null=True, verbose_name="签收日期"),
        ),
        migrations.AlterField(
            model_name="topicevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("raised", "提出"),
                    ("transition", "状态变更"),
                    ("referral", "交办"),
                    ("reply", "单位答复"),
                    ("sign", "签收"),
                    ("return", "退回"),
                    ("extension", "申请延期"),
                    ("ext_decision", "延期审核"),
                    ("review", "答复审核"),
                    ("rating", "群众评价"),
                    ("merge", "合并"),
                    ("comment", "备注"),
                    ("edit", "后台修改"),
                ],
                default="transition",
                max_length=16,
                verbose_name="类型",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("returned_on__isnull", True)),
                fields=("topic", "department"),
                name="referral_topic_department_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("returned_on__isnull", True), ("role", "lead")),
                fields=("topic",),
                name="referral_one_lead_per_topic",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("returned_on__isnull", True), ("replied_on__isnull", True), _connector="OR"
                ),
                name="referral_returned_or_replied",
            ),
        ),
        migrations.AddField(
            model_name="referralattachment",
            name="referral",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="topics.referral",
                verbose_name="交办",
            ),
        ),
        migrations.AddField(
            model_name="referralattachment",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="上传人",
            ),
        ),
        migrations.AddField(
            model_name="referralextension",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核人",
            ),
        ),
        migrations.AddField(
            model_name="referralextension",
            name="referral",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="extensions",
                to="topics.referral",
                verbose_name="交办",
            ),
        ),
        migrations.AddField(
            model_name="referralextension",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="申请人",
            ),
        ),
        migrations.AddField(
            model_name="unitaccount",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="accounts",
                to="topics.department",
                verbose_name="承办单位",
            ),
        ),
        migrations.AddField(
            model_name="unitaccount",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="unit_account",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AddConstraint(
            model_name="referralextension",
            constraint=models.UniqueConstraint(
                condition=models.Q(("decision", "pending")),
                fields=("referral",),
                name="extension_one_pending_per_referral",
            ),
        ),
        migrations.AddConstraint(
            model_name="referralextension",
            constraint=models.CheckConstraint(
                condition=models.Q(("new_deadline__gt", models.F("old_deadline"))),
                name="extension_later_than_before",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(existing_referrals, migrations.RunPython.noop),
    ]
