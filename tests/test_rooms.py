"""Imports run one way between the rooms (DESIGN.md, "Rooms"); this test keeps it so.

front doors (mock, server, cli) -> protocol, resources -> data, engines. The protocol room
knows nothing of resources; the engines import nothing else of ours, so they can be used and
benchmarked offline; the data room imports nothing but the protocol's error classes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import personalize_emulator

PACKAGE = Path(personalize_emulator.__file__).parent
ROOT = "personalize_emulator"

# room -> the other parts of the package it may import (itself is always allowed)
ALLOWED = {
    "protocol": {"config", "__init__"},
    "engines": set(),
    "data": {"protocol.errors"},
    "resources": {"protocol", "data", "engines", "config"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ours(path: Path) -> set[str]:
    """The modules of this package that ``path`` imports, as absolute dotted names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == ROOT)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] == ROOT:
                found.update(f"{name}.{a.name}" for a in node.names)
    return found


def _permitted(room: str, imported: str) -> bool:
    rest = imported[len(ROOT) + 1 :]
    if rest.split(".")[0] == room:
        return True
    return any(rest == a or rest.startswith(a + ".") for a in ALLOWED[room])


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_room_imports_only_what_it_may(room):
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / room).rglob("*.py"))
        for name in sorted(_ours(path))
        if not _permitted(room, name)
    ]
    assert offenders == []


def test_rooms_import_no_web_framework_or_moto_where_they_must_not():
    for room in ("protocol", "engines"):
        for path in (PACKAGE / room).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                for name in names:
                    assert name.split(".")[0] not in {"moto", "flask", "werkzeug"}, (
                        f"{path.relative_to(PACKAGE)} imports {name}"
                    )
