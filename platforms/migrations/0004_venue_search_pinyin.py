"""search_pinyin (full pinyin and initials of the name) for the search box, filled for the
existing rows; trigram indexes for substring search on PostgreSQL (consult_portal.search_index)."""

from django.db import migrations, models

from consult_portal.pinyin import search_pinyin
from consult_portal.search_index import fill_pinyin, trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0003_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalvenue",
            name="search_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音"),
        ),
        migrations.AddField(
            model_name="venue",
            name="search_pinyin",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音"),
        ),
        fill_pinyin("platforms", "venue", search_pinyin),
        trigram_indexes(
            ("venue_name_trgm", "platforms_venue", "name"),
            ("venue_pinyin_trgm", "platforms_venue", "search_pinyin"),
        ),
    ]
