"""Two-character words (电梯) in topic titles and descriptions answered from an index on
PostgreSQL: GIN indexes on the columns' character pairs (consult_portal.search_index)."""

from django.db import migrations

from consult_portal.search_index import bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0008_search"),
    ]

    operations = [
        bigram_indexes(
            ("topic_title_bigram", "topics_topic", "title"),
            ("topic_description_bigram", "topics_topic", "description"),
        ),
    ]
