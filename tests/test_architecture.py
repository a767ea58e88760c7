"""The apps depend one way (docs/DECISIONS.md, "Layers"): the import-linter contract in
pyproject.toml holds for the code as it is, and breaks on a deliberate upward import."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_contract_names_every_app_from_base_to_top():
    config = _config()
    (contract,) = config["contracts"]
    assert contract["type"] == "layers"
    assert contract["layers"] == [
        "demo",
        "portal",
        "dashboards | notifications",
        "proposals",
        "topics",
        "members",
        "platforms",
        "consult_portal",
    ]
    # Every Django app of ours is in the contract, so a new one cannot slip past it.
    from django.conf import settings

    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours <= set(config["root_packages"])


def test_the_apps_depend_one_way():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """A copy of the apps with one module of platforms importing topics fails the same check."""
    for package in _config()["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=lambda directory, names: [
                n for n in names if not (n.endswith(".py") or (Path(directory) / n).is_dir())
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint_imports(tmp_path).returncode == 0  # the copy alone is as clean as the original

    (tmp_path / "platforms" / "upward_probe.py").write_text("from topics.models import Topic\n")
    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert "platforms is not allowed to import topics" in result.stdout
    assert "platforms.upward_probe -> topics.models" in result.stdout


# --- What the lower layers ask of the apps above them, registered from AppConfig.ready ---


def test_each_app_registers_its_importer_in_installed_apps_order():
    from consult_portal.importing.registry import importers
    from members.importers import MemberImporter
    from platforms.importers import VenueImporter
    from topics.importers import TopicImporter

    assert importers() == {
        "venues": VenueImporter,
        "members": MemberImporter,
        "topics": TopicImporter,
    }


def test_a_second_importer_under_a_taken_kind_is_refused():
    from consult_portal.importing.base import Importer
    from consult_portal.importing.registry import importers, register
    from platforms.importers import VenueImporter

    class OtherVenues(Importer):
        kind = "venues"

    with pytest.raises(ValueError, match="already taken by VenueImporter"):
        register(OtherVenues)
    register(VenueImporter)  # the same class again is harmless
    assert importers()["venues"] is VenueImporter


def test_a_role_nobody_provides_a_scope_for_is_a_configuration_error(member_user, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from consult_portal import roles

    monkeypatch.setattr(roles, "_PROVIDERS", {})
    with pytest.raises(ImproperlyConfigured, match="No scope provider"):
        roles.scope_for(member_user)
