"""Signals of the platforms app."""

from django.dispatch import Signal

# Sent after an area has moved in the tree (``Area.move``), with ``area_id``: treebeard rewrites
# the paths of the area and everything below it with raw SQL, so no save signal fires.
area_moved = Signal()
