"""Demo and benchmark data: ``manage.py seed_demo`` (a believable city) and ``manage.py
seed_province`` (a whole province, PostgreSQL ``COPY``).

It sits on top of every app (it writes their rows) and nothing but ``bench/`` and ``tests/``
imports it; production settings leave it out of ``INSTALLED_APPS``.

For ``seed_demo``: ``scale`` holds the counts; ``names``, ``places`` and ``texts`` the word
lists; ``build`` the builder that runs the steps in ``city``, ``people`` and ``work`` (sharing
``state``); ``reset`` removes everything the builder made. For ``seed_province``: ``province``
plans and writes the rows, ``copyload`` sends them with ``COPY``.
"""
