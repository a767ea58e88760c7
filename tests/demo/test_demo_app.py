"""The ``demo`` app stays on top: nothing but ``bench/`` and ``tests/`` imports it, and
production settings leave it (and its ``seed_*`` commands) out."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAY_IMPORT_DEMO = {"demo", "bench", "tests"}
NOT_SOURCE = {".venv", "node_modules", "var", "static", "templates", "docs", ".git"}


def demo_imports(path: Path) -> list[int]:
    """Line numbers of ``import demo…`` / ``from demo… import …`` in one file."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in names):
            lines.append(node.lineno)
    return lines


def test_nothing_outside_demo_bench_and_tests_imports_demo():
    checked, found = 0, []
    for top in sorted(ROOT.iterdir()):
        if top.name in MAY_IMPORT_DEMO or top.name in NOT_SOURCE or top.name.startswith("."):
            continue
        paths = [top] if top.suffix == ".py" else sorted(top.rglob("*.py")) if top.is_dir() else []
        for path in paths:
            checked += 1
            found += [f"{path.relative_to(ROOT)}:{line}" for line in demo_imports(path)]
    assert checked > 100  # the apps were really scanned
    assert found == []


def test_the_check_sees_an_import_of_demo(tmp_path):
    module = tmp_path / "upward.py"
    module.write_text("import os\nfrom demo.province import ProvinceLoader\nimport demo\n")
    assert demo_imports(module) == [2, 3]


def test_production_settings_leave_the_demo_app_and_its_commands_out():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "consult_portal.settings.production",
        "DJANGO_SECRET_KEY": "test-only-secret-0123456789-0123456789-0123456789-0123456789",
        "DJANGO_ALLOWED_HOSTS": "consult.example.org",
    }
    script = (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from django.core.management import get_commands\n"
        "commands = get_commands()\n"
        "print(apps.is_installed('demo'), 'seed_demo' in commands, 'seed_province' in commands,"
        " 'import_venues' in commands)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "False", "True"]


def test_other_settings_install_the_demo_app():
    assert "demo" in settings.INSTALLED_APPS
