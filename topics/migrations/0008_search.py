"""search_pinyin (full pinyin and initials of the name) for the search box, filled for the
existing rows; trigram indexes for substring search on PostgreSQL (consult_portal.search_index)."""

from django.db import migrations, models

from consult_portal.pinyin import search_pinyin
from consult_portal.search_index import fill_pinyin, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0007_topic_event_admin_edit"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="search_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音"),
        ),
        fill_pinyin("topics", "department", search_pinyin),
        trigram_indexes(
            ("department_pinyin_trgm", "topics_department", "search_pinyin"),
            ("topic_title_trgm", "topics_topic", "title"),
            ("topic_description_trgm", "topics_topic", "description"),
            ("consultation_title_trgm", "topics_consultation", "title"),
        ),
    ]
