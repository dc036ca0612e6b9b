"""Which operations of each model have a handler, and which do not.

The protocol room may not import resources, so the caller passes ``registered``: a function
from dialect to the set of (service, operation) pairs that have a handler (in practice
``resources.handlers.registered_operations``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .context import GA
from .specs import all_specs


@dataclass(frozen=True)
class ServiceCoverage:
    service: str
    dialect: str
    implemented: tuple[str, ...]
    missing: tuple[str, ...]
    #: handlers registered for names the model does not have (a typo, or a stale handler)
    unknown: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return len(self.implemented) + len(self.missing)


def coverage(registered: Callable[[str], set[tuple[str, str]]]) -> list[ServiceCoverage]:
    rows = []
    for spec in all_specs():
        have = {op for (svc, op) in registered(spec.dialect) if svc == spec.service}
        ops = set(spec.model.operation_names)
        rows.append(
            ServiceCoverage(
                service=spec.service,
                dialect=spec.dialect,
                implemented=tuple(sorted(ops & have)),
                missing=tuple(sorted(ops - have)),
                unknown=tuple(sorted(have - ops)),
            )
        )
    return rows


def ga_complete(rows: Iterable[ServiceCoverage]) -> bool:
    return all(not r.missing for r in rows if r.dialect == GA)


def render(rows: list[ServiceCoverage], verbose: bool = True) -> str:
    lines = [f"{'service':<22}{'dialect':<9}{'implemented':>12}{'missing':>9}"]
    for r in rows:
        lines.append(
            f"{r.service:<22}{r.dialect:<9}{f'{len(r.implemented)}/{r.total}':>12}{len(r.missing):>9}"
        )
    if verbose:
        for r in rows:
            if r.missing:
                lines.append(f"\nmissing in {r.service} ({r.dialect}):")
                lines.extend(f"  {op}" for op in r.missing)
            if r.unknown:
                lines.append(f"\nhandlers for operations {r.service} ({r.dialect}) does not have:")
                lines.extend(f"  {op}" for op in r.unknown)
    return "\n".join(lines)


def as_dict(rows: list[ServiceCoverage]) -> list[dict]:
    return [
        {
            "service": r.service,
            "dialect": r.dialect,
            "implemented": list(r.implemented),
            "missing": list(r.missing),
            "unknown": list(r.unknown),
        }
        for r in rows
    ]
