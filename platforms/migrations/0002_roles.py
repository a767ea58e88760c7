"""Create the four role groups and give each the model permissions the admin needs.

Scope (which rows) is enforced by the ``visible_to`` querysets; these permissions only decide
which admin screens a role may open.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_OFFICE = "政协办公室"
GROUP_LEADER = "领导"
GROUP_MEMBER = "委员"
GROUP_ADMIN = "管理员"

OFFICE_EDITS = {
    "platforms": ["venue", "venuestandardrecord"],
    "members": ["member", "assignment", "dutyshift", "duty"],
    "topics": [
        "topic",
        "topicevent",
        "referral",
        "consultation",
        "consultationtopic",
        "consultationattachment",
        "attendance",
        "department",
    ],
}
VIEW_ONLY = {
    "platforms": ["area", "platformbrand"],
    "members": ["sector"],
    "topics": ["topiccategory"],
}


def forwards(apps, schema_editor):
    for label in ("platforms", "members", "topics"):
        app_config = apps.get_app_config(label)
        # create_permissions skips apps without a models module, as migration states have.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(models_by_app, actions):
        codenames = [
            f"{action}_{model}"
            for models in models_by_app.values()
            for model in models
            for action in actions
        ]
        return Permission.objects.filter(
            content_type__app_label__in=list(models_by_app), codename__in=codenames
        )

    office, _ = Group.objects.get_or_create(name=GROUP_OFFICE)
    office.permissions.set(
        list(perms(OFFICE_EDITS, ["view", "add", "change"])) + list(perms(VIEW_ONLY, ["view"]))
    )
    leader, _ = Group.objects.get_or_create(name=GROUP_LEADER)
    leader.permissions.set(list(perms(OFFICE_EDITS, ["view"])) + list(perms(VIEW_ONLY, ["view"])))
    Group.objects.get_or_create(name=GROUP_MEMBER)
    admin, _ = Group.objects.get_or_create(name=GROUP_ADMIN)
    admin.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["platforms", "members", "topics", "auth"]
        )
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[GROUP_OFFICE, GROUP_LEADER, GROUP_MEMBER, GROUP_ADMIN]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("platforms", "0001_initial"),
        ("members", "0002_initial"),
        ("topics", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
