"""The protocol room imports neither resources, engines, data nor moto (DESIGN.md, Rooms)."""

from __future__ import annotations

import ast
from pathlib import Path

import personalize_emulator.protocol as protocol

FORBIDDEN = ("resources", "engines", "data", "mock", "server", "cli")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_protocol_stays_in_its_room():
    offenders = []
    for path in Path(protocol.__file__).parent.glob("*.py"):
        for name in imported_modules(path):
            parts = name.lstrip(".").split(".")
            if parts[0] == "moto" or (name.startswith("..") and parts[0] in FORBIDDEN):
                offenders.append(f"{path.name}: {name}")
            if (
                parts[:2]
                and parts[0] == "personalize_emulator"
                and parts[1:2]
                and parts[1] in FORBIDDEN
            ):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []
