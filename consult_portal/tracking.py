"""Writes that bypass ``save()``/``delete()`` announce themselves, like ``save()`` does.

Some records feed derived tables kept by a higher app (the dashboard summaries). Django tells
the receivers about ``save()`` and ``delete()`` (``post_save``/``post_delete``) but not about
``bulk_create()`` or ``QuerySet.update()``. A model whose rows feed such tables uses
``TrackedQuerySet`` (or a subclass) as its manager's queryset, and then those two send:

- ``rows_created(sender=model, objs=[...])`` after ``bulk_create()``;
- ``rows_updating(sender=model, queryset=qs, fields=frozenset(names))`` before ``update()``.
  A receiver that cares about those fields reads what it needs of the rows (the update may
  change which rows the queryset matches) and returns a callable; the callables run after the
  update, in the same transaction. A receiver that does not care returns None, and the update
  costs nothing more.

The lower apps only send; which app listens, and what it keeps, they do not know (the
dashboards connect in ``DashboardsConfig.ready()``).
"""

from __future__ import annotations

from django.db import models, transaction
from django.dispatch import Signal

rows_created = Signal()  # sender=model, objs=list of the created instances
rows_updating = Signal()  # sender=model, queryset=QuerySet, fields=frozenset of field names


class TrackedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        rows_created.send(sender=self.model, objs=created)
        return created

    def update(self, **kwargs):
        followups = [
            response
            for _, response in rows_updating.send(
                sender=self.model, queryset=self, fields=frozenset(kwargs)
            )
            if callable(response)
        ]
        if not followups:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().update(**kwargs)
            for followup in followups:
                followup()
        return count

    update.alters_data = True
