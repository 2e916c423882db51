"""Imports point one way: bot uses services, services use models; no bot framework below bot/.
And `sandan run` starts without the report libraries, which only some commands need."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("telegram", "aiogram")
# Libraries only some commands need (/stats draws with matplotlib, /export and /report write with
# openpyxl, posters and the chart font use PIL): `sandan run` loads them on first use, not at start.
REPORT_LIBRARIES = ("matplotlib", "openpyxl", "PIL")
# Likewise numpy, which only candidate ranking needs, and Alembic, which only a start with a
# migration to apply needs (sandan.migrate): each would hold memory for the life of the bot.
LAZY_LIBRARIES = (*REPORT_LIBRARIES, "numpy", "alembic")
FORBIDDEN = {
    "models": (*FRAMEWORKS, "services", "bot"),
    "services": (*FRAMEWORKS, "bot"),
}


def imports_of(source: str, module: str) -> set[str]:
    """Every module named by an import statement anywhere in the source, relative ones resolved.

    `module` is the dotted name of the file itself (e.g. services.dispatch).
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in imports_of(path.read_text(encoding="utf-8"), module):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


@pytest.mark.parametrize("package", FORBIDDEN)
def test_a_layer_imports_no_bot_framework_and_nothing_above_it(package):
    assert list((ROOT / package).rglob("*.py")), f"{package}/ has no modules to check"
    assert violations(package) == []


@pytest.mark.parametrize(
    "line",
    [
        "import telegram",
        "import telegram.ext as ext",
        "from telegram import Bot",
        "from telegram.constants import ParseMode",
        "import aiogram",
        "from aiogram.types import Message",
        "def f():\n    import aiogram.utils",
        "try:\n    from telegram import error\nexcept ImportError:\n    pass",
        "from ..bot import texts",
        "import bot.flows",
        "from bot import flows",
        "from services.db import Database",
    ],
)
def test_the_check_sees_every_form_of_import(line):
    names = imports_of(line, "models.fake")
    assert {n.split(".")[0] for n in names} & set(FORBIDDEN["models"])


def test_the_check_lets_allowed_imports_through():
    source = "\n".join(
        [
            "from models import Wish",
            "from sqlalchemy import select",
            "from . import enums",
            "import telegramish",
        ]
    )
    names = imports_of(source, "services.fake")
    assert not {n.split(".")[0] for n in names} & set(FORBIDDEN["services"])


def loaded_by(module: str, then: str = "") -> set[str]:
    """The lazily loaded libraries a clean interpreter has loaded after importing `module`
    (and running the statements `then`)."""
    code = f"import sys, {module}\n{then}\nprint(*[m for m in {LAZY_LIBRARIES!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(out.stdout.split())


def test_starting_the_bot_loads_no_report_library_numpy_or_alembic():
    # `sandan run` is sandan.cli, which imports sandan.serve to start the bot.
    assert loaded_by("sandan.cli, sandan.serve") == set()


def test_numpy_is_loaded_once_a_ranking_runs():
    ranks = "services.member_pool.Pool([]).rank(bonus=None, fitting=frozenset(), slots=frozenset(), "
    assert "numpy" in loaded_by("services.member_pool", ranks + "grid_id=None, exclude=set(), limit=5)")


@pytest.mark.parametrize(
    ("module", "library"),
    [("services.reports.chart", "matplotlib"), ("services.reports.workbook", "openpyxl")],
)
def test_the_probe_sees_a_report_library_once_its_module_is_imported(module, library):
    assert library in loaded_by(module)
