"""The figure world (``figure_world.build``) for the dashboard tests: built afresh for each test
that asks for ``fw``, or once for a module or class that marks itself with
``pytest.mark.usefixtures("fw_once")`` (``"fw_once_per_class"``) — rolled back when it ends,
each test in its own savepoint with its own copy of the objects (``tests.conftest.built_once``)."""

import copy

import pytest

from tests.conftest import built_once

from .figure_world import FigureWorld, build

SHARED_FW_FIXTURES = ("fw_once", "fw_once_per_class")


@pytest.fixture(scope="module")
def fw_once(request, django_db_setup, django_db_blocker):
    yield from built_once(request, django_db_blocker, build)


@pytest.fixture(scope="class")
def fw_once_per_class(request, django_db_setup, django_db_blocker):
    yield from built_once(request, django_db_blocker, build)


@pytest.fixture
def fw(request, db) -> FigureWorld:
    for name in SHARED_FW_FIXTURES:
        if name in request.fixturenames:
            return copy.deepcopy(request.getfixturevalue(name))
    return build()
