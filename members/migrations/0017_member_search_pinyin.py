"""search_pinyin (full pinyin and initials of the name) for the search box, filled for the
existing rows; trigram indexes for substring search on PostgreSQL (consult_portal.search_index)."""

from django.db import migrations, models

from consult_portal.pinyin import person_pinyin
from consult_portal.search_index import fill_pinyin, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0016_member_leave_recording_area"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmember",
            name="search_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音"),
        ),
        migrations.AddField(
            model_name="member",
            name="search_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音"),
        ),
        fill_pinyin("members", "member", person_pinyin),
        trigram_indexes(
            ("member_name_trgm", "members_member", "name"),
            ("member_pinyin_trgm", "members_member", "search_pinyin"),
        ),
    ]
