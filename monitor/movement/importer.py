"""All-or-nothing import of model instances: validate every row, then upsert by instance code.

Reuses the registry's machinery: `sheets.read_table` for CSV/XLSX, `columns.map_header` for
Vietnamese/English headers, the registry's cell parsers, and `RowProblem`/`ImportRejected`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import RowProblem
from monitor.core.models import Area, Camera, ModelInstance, ModelType
from monitor.movement.access import require_editor
from monitor.movement.columns import (
    INSTANCE_COLUMNS,
    NEW_INSTANCE_FIELDS,
    STATUS_WORDS,
    UNIT_KIND_WORDS,
)
from monitor.movement.instances import Lookup, apply_fields, instance_fields, new_instance
from monitor.movement.schemas import InstanceCreate, InstanceUpdate
from monitor.registry.columns import map_header, normalise_header
from monitor.registry.importer import ImportSummary, parse_date, validate_rows
from monitor.registry.sheets import Table

_CHUNK = 500
_EAGER = (
    selectinload(ModelInstance.type),
    selectinload(ModelInstance.area),
    selectinload(ModelInstance.host),
    selectinload(ModelInstance.cameras),
    selectinload(ModelInstance.budgets),
    selectinload(ModelInstance.targets),
)
_LIST_SPLIT = re.compile(r"[;,\n]")
_ITEM_SPLIT = re.compile(r"[;\n]")  # dossier item names may hold commas


@dataclass(slots=True)
class _Row:
    number: int
    code: str
    data: InstanceUpdate
    type_code: str | None


def _parse_int(text: str) -> int:
    cleaned = re.sub(r"[\s.,]", "", text)  # 1.500.000 and 1,500,000 are both đồng amounts
    if not cleaned.isdigit():
        raise ValueError("expected a whole number")
    return int(cleaned)


def _parse_number(text: str) -> float:
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        raise ValueError("expected a number") from None


def _cell(field: str, text: str) -> Any:
    """A cell's value as the schema wants it; ValueError with the reason when it is malformed."""
    if field == "started_on":
        return parse_date(text)
    if field == "unit_kind":
        if normalise_header(text) not in UNIT_KIND_WORDS:
            raise ValueError("must be agency, enterprise, school, village or other")
        return UNIT_KIND_WORDS[normalise_header(text)]
    if field == "status":
        if normalise_header(text) not in STATUS_WORDS:
            raise ValueError("unknown status")
        return STATUS_WORDS[normalise_header(text)]
    if field == "dossier_done":
        return [part.strip() for part in _ITEM_SPLIT.split(text) if part.strip()]
    if field == "camera_codes":
        return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]
    if field in ("year", "budget_vnd"):
        return _parse_int(text)
    if field in ("target", "achieved"):
        return _parse_number(text)
    return text


class _Validator:
    """Checks rows one by one against the database, collecting every problem."""

    def __init__(self, session: Session, table: Table) -> None:
        mapped = map_header(table.header, INSTANCE_COLUMNS, ("code",))
        self.problems: list[RowProblem] = list(mapped.problems)
        self.columns = mapped.columns
        self.header_of = mapped.header_of
        self.types = {t.code: t for t in session.scalars(select(ModelType))}
        self.areas = set(session.scalars(select(Area.code)))
        self.existing = {
            i.code: i
            for i in session.scalars(
                select(ModelInstance).options(selectinload(ModelInstance.type))
            )
        }
        self.cameras = set(session.scalars(select(Camera.code)))
        self.seen: dict[str, int] = {}

    def problem(self, row: int, field: str, reason: str) -> None:
        self.problems.append(RowProblem(row, self.header_of.get(field, field), reason))

    def validate(self, number: int, cells: list[str]) -> _Row | None:
        values: dict[str, Any] = {}
        ok = True
        for position, column in self.columns:
            text = cells[position].strip() if position < len(cells) else ""
            if text:
                try:
                    values[column.field] = _cell(column.field, text)
                except ValueError as exc:
                    self.problem(number, column.field, str(exc))
                    ok = False
        code = values.get("code", "")
        if not code:
            self.problem(number, "code", "value is required")
            return None
        if code in self.seen:
            first = self.seen[code]
            self.problem(number, "code", f"instance code repeats row {first} of this file")
            return None
        self.seen[code] = number
        existing = self.existing.get(code)
        if existing is None:
            for name in NEW_INSTANCE_FIELDS:
                if name not in values:
                    self.problem(number, name, "value is required for a new instance")
                    ok = False
        data = self._schema(number, values, new=existing is None)
        checked = self._references(number, code, values, existing)
        if data is None or not ok or not checked:
            return None
        return _Row(number, code, data, values.get("type_code"))

    def _schema(self, number: int, values: dict[str, Any], *, new: bool) -> InstanceUpdate | None:
        fields = {
            k: v
            for k, v in values.items()
            if k
            not in ("code", "type_code", "year", "budget_vnd", "indicator", "target", "achieved")
        }
        year = values.get("year")
        figures = [f for f in ("budget_vnd", "indicator", "target", "achieved") if f in values]
        if figures and year is None:
            self.problem(number, "year", f"a year is needed for {self.header_of[figures[0]]}")
            return None
        if "budget_vnd" in values:
            fields["budgets"] = [{"year": year, "amount_vnd": values["budget_vnd"]}]
        if "indicator" in values or "target" in values or "achieved" in values:
            if "indicator" not in values or "target" not in values:
                missing = "indicator" if "indicator" not in values else "target"
                self.problem(number, missing, "an indicator needs its name and its target")
                return None
            fields["targets"] = [
                {
                    "year": year,
                    "indicator": values["indicator"],
                    "target": values["target"],
                    "achieved": values.get("achieved"),
                }
            ]
        try:
            if new:
                InstanceCreate(code=values["code"], type_code=values.get("type_code", ""), **fields)
            return InstanceUpdate(**fields)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                name = str(
                    loc[2]
                    if len(loc) >= 3 and loc[0] in ("budgets", "targets")
                    else loc[0]
                    if loc
                    else ""
                )
                self.problem(number, "budget_vnd" if name == "amount_vnd" else name, error["msg"])
            return None

    def _references(
        self, number: int, code: str, values: dict[str, Any], existing: ModelInstance | None
    ) -> bool:
        ok = True
        type_code = values.get("type_code")
        model_type = self.types.get(type_code) if type_code else None
        if type_code and model_type is None:
            self.problem(number, "type_code", f"unknown model type {type_code!r}")
            return False
        if existing is not None and type_code and existing.type.code != type_code:
            self.problem(
                number,
                "type_code",
                f"instance {code} is a {existing.type.code}; the type of an instance cannot change",
            )
            return False
        model_type = model_type or (existing.type if existing else None)
        if "area_code" in values and values["area_code"] not in self.areas:
            self.problem(number, "area_code", f"unknown area code {values['area_code']!r}")
            ok = False
        camera_codes = values.get("camera_codes") or []
        dossier_done = values.get("dossier_done") or []
        if camera_codes:
            if model_type is not None and not model_type.links_cameras:
                self.problem(
                    number, "camera_codes", f"model type {model_type.code!r} does not link cameras"
                )
                ok = False
            unknown = [c for c in camera_codes if c not in self.cameras]
            if unknown:
                reason = f"unknown camera code(s): {', '.join(unknown)}"
                self.problem(number, "camera_codes", reason)
                ok = False
        if dossier_done and model_type is not None:
            items = (
                [e["item"] for e in existing.dossier]
                if existing is not None
                else list(model_type.dossier_template)
            )
            unknown = [i for i in dossier_done if i not in items]
            if unknown:
                self.problem(
                    number, "dossier_done", f"not in the dossier checklist: {'; '.join(unknown)}"
                )
                ok = False
        return ok


def validate_instances(session: Session, table: Table) -> list[_Row]:
    """Check every row; ImportRejected with all problems when any row is wrong."""
    return validate_rows(_Validator(session, table), table, "model")


def import_instances(session: Session, actor: Actor, table: Table) -> ImportSummary:
    """Validate the whole table, then create or update instances by code (caller commits)."""
    require_editor(actor)
    rows = validate_instances(session, table)
    summary = ImportSummary(rows=len(rows))
    types = {t.code: t for t in session.scalars(select(ModelType))}
    codes = [r.code for r in rows]
    camera_codes = sorted({c for r in rows for c in r.data.camera_codes or []})
    existing: dict[str, ModelInstance] = {}
    cameras: dict[str, Camera] = {}
    for start in range(0, max(len(codes), len(camera_codes)), _CHUNK):
        existing.update(
            (i.code, i)
            for i in session.scalars(
                select(ModelInstance)
                .options(*_EAGER)
                .where(ModelInstance.code.in_(codes[start : start + _CHUNK]))
            )
        )
        cameras.update(
            (c.code, c)
            for c in session.scalars(
                select(Camera).where(Camera.code.in_(camera_codes[start : start + _CHUNK]))
            )
        )
    lookup = Lookup(areas={a.code: a for a in session.scalars(select(Area))}, cameras=cameras)
    for row in rows:
        instance = existing.get(row.code)
        if instance is None:
            instance = new_instance(session, row.code, types[row.type_code or ""])
            apply_fields(session, instance, row.data, only_set=True, merge=True, lookup=lookup)
            session.add(instance)
            summary.created += 1
            summary.created_codes.append(row.code)
            audit.record(
                session,
                actor,
                "import_create",
                "movement_instance",
                row.code,
                audit.diff({}, instance_fields(instance)),
            )
            continue
        before = instance_fields(instance)
        apply_fields(session, instance, row.data, only_set=True, merge=True, lookup=lookup)
        changes = audit.diff(before, instance_fields(instance))
        if changes:
            summary.updated += 1
            audit.record(session, actor, "import_update", "movement_instance", row.code, changes)
        else:
            summary.unchanged += 1
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        "movement_instance",
        "",
        {"created": [None, summary.created], "updated": [None, summary.updated]},
    )
    return summary
