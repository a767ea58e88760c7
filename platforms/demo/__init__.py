"""Demo data for ``manage.py seed_demo``: a believable city of venues, members, topics and sessions.

``scale`` holds the counts; ``names``, ``places`` and ``texts`` the word lists; ``build`` the
builder that runs the steps in ``city``, ``people`` and ``work`` (sharing ``state``); ``reset``
removes everything the builder made.
"""
