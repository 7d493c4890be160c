"""All-or-nothing import and export of administrative areas (CSV/XLSX).

One file can hold a province's commune-level units and their villages. A row whose `replaces`
column names older units records a merger or a renaming with a new code: the old units stay in
the registry, retired and pointing at the new one, so outages, tickets and reviews recorded
before the change keep the name they had; their cameras, hosts, movement instances and villages
move to the new unit, and the crews and police users that covered an old unit cover the new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import ImportRejected, RowProblem
from monitor.core.models import (
    AREA_KINDS,
    AREA_PARENT_LEVELS,
    Area,
    AreaLevel,
    Camera,
    Host,
    ModelInstance,
    crew_areas,
    user_areas,
)
from monitor.registry.areas import area_fields, move_area
from monitor.registry.columns import Column, headers, map_header, normalise_header
from monitor.registry.importer import parse_date
from monitor.registry.sheets import Table, write_csv, write_xlsx

AREA_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã đơn vị", "Code", ("ma", "ma dia ban", "area code"), required=True),
    Column("name", "Tên đơn vị", "Name", ("ten", "ten dia ban"), required=True),
    Column("level", "Cấp", "Level", ("cap hanh chinh",)),
    Column("kind", "Loại đơn vị", "Kind", ("loai",)),
    Column("parent_code", "Mã đơn vị cấp trên", "Parent code", ("ma cap tren", "parent")),
    Column("replaces", "Thay cho mã", "Replaces", ("sap nhap tu", "merged from")),
    Column("effective_on", "Ngày hiệu lực", "Effective on", ("hieu luc", "effective")),
)
REQUIRED = ("code", "name")

# Words a province's own spreadsheets use for each unit kind (accent-free, lower-case).
KIND_WORDS: dict[str, str] = {
    "tinh": "province",
    "province": "province",
    "thanh pho truc thuoc trung uong": "city",
    "city": "city",
    "cum": "cluster",
    "cum xa": "cluster",
    "cluster": "cluster",
    "huyen cu": "former_district",
    "former district": "former_district",
    "former_district": "former_district",
    "xa": "commune",
    "commune": "commune",
    "phuong": "ward",
    "ward": "ward",
    "dac khu": "special_zone",
    "special zone": "special_zone",
    "special_zone": "special_zone",
    "thon": "village",
    "village": "village",
    "to dan pho": "residential_group",
    "residential group": "residential_group",
    "residential_group": "residential_group",
}
LEVEL_WORDS: dict[str, AreaLevel] = {
    "tinh": AreaLevel.PROVINCE,
    "province": AreaLevel.PROVINCE,
    "cum": AreaLevel.CLUSTER,
    "cluster": AreaLevel.CLUSTER,
    "xa": AreaLevel.COMMUNE,
    "cap xa": AreaLevel.COMMUNE,
    "commune": AreaLevel.COMMUNE,
    "thon": AreaLevel.VILLAGE,
    "thon to dan pho": AreaLevel.VILLAGE,
    "village": AreaLevel.VILLAGE,
}
LEVEL_OF_KIND = {kind: level for level, kinds in AREA_KINDS.items() for kind in kinds}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")


@dataclass(slots=True)
class AreaRow:
    """One checked row of an area file."""

    number: int
    code: str
    name: str
    level: AreaLevel
    kind: str
    parent_code: str | None
    replaces: list[str]
    effective_on: date | None


@dataclass(slots=True)
class AreaImportSummary:
    """What an area import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    moved_cameras: int = 0


class _AreaValidator:
    """Checks rows one by one against the file and the registry, collecting every problem."""

    def __init__(self, table: Table, session: Session) -> None:
        mapped = map_header(table.header, AREA_COLUMNS, REQUIRED)
        self.problems: list[RowProblem] = list(mapped.problems)
        self.columns = mapped.columns
        self.header_of = mapped.header_of
        self.known = {a.code: a for a in session.scalars(select(Area))}
        self.rows: dict[str, AreaRow] = {}
        self.replaced: dict[str, int] = {}

    def _problem(self, row: int, name: str, reason: str) -> None:
        self.problems.append(RowProblem(row, self.header_of.get(name, name), reason))

    def validate(self, number: int, cells: list[str]) -> AreaRow | None:
        values = {
            column.field: cells[position].strip() if position < len(cells) else ""
            for position, column in self.columns
        }
        ok = True
        for name in REQUIRED:
            if not values.get(name):
                self._problem(number, name, "value is required")
                ok = False
        code, name = values.get("code", ""), values.get("name", "")
        if code and not _CODE.match(code):
            self._problem(number, "code", "a code holds letters, digits, . _ - (at most 32)")
            ok = False
        if len(name) > 200:
            self._problem(number, "name", "at most 200 characters")
            ok = False
        level, kind = self._level_and_kind(number, values)
        effective: date | None = None
        if values.get("effective_on"):
            try:
                effective = parse_date(values["effective_on"])
            except ValueError as exc:
                self._problem(number, "effective_on", str(exc))
                ok = False
        if level is None or kind is None:
            return None
        row = AreaRow(
            number=number,
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent_code=values.get("parent_code") or None,
            replaces=[c for c in re.split(r"[,;\s]+", values.get("replaces", "")) if c],
            effective_on=effective,
        )
        if not self._check_replaces(row) or not ok:
            return None
        if code in self.rows:
            self._problem(number, "code", f"code repeats row {self.rows[code].number}")
            return None
        existing = self.known.get(code)
        if existing is not None and existing.retired:
            self._problem(number, "code", f"{code} was merged into another unit: use a new code")
            return None
        if existing is not None and existing.level != level:
            self._problem(number, "level", f"{code} is a {existing.level.value} already")
            return None
        self.rows[code] = row
        return row

    def _level_and_kind(
        self, number: int, values: dict[str, str]
    ) -> tuple[AreaLevel | None, str | None]:
        kind = ""
        if values.get("kind"):
            kind = KIND_WORDS.get(normalise_header(values["kind"]), "")
            if not kind:
                self._problem(number, "kind", "unknown unit kind (xã, phường, đặc khu, thôn…)")
                return None, None
        level: AreaLevel | None = None
        if values.get("level"):
            word = normalise_header(values["level"])
            level = LEVEL_WORDS.get(word)
            if level is None:
                self._problem(number, "level", "unknown level: province, cluster, commune, village")
                return None, None
        elif kind:
            level = LEVEL_OF_KIND[kind]
        else:
            self._problem(number, "level", "give the level or the unit kind")
            return None, None
        if kind and kind not in AREA_KINDS[level]:
            self._problem(
                number, "kind", f"a {level.value} is one of {', '.join(AREA_KINDS[level])}"
            )
            return None, None
        return level, kind

    def _check_replaces(self, row: AreaRow) -> bool:
        ok = True
        for old in row.replaces:
            area = self.known.get(old)
            if old == row.code:
                self._problem(row.number, "replaces", "a unit cannot replace itself")
                ok = False
            elif area is None:
                self._problem(row.number, "replaces", f"unknown area code {old!r}")
                ok = False
            elif area.retired:
                self._problem(row.number, "replaces", f"{old} was already merged")
                ok = False
            elif area.level != row.level:
                self._problem(row.number, "replaces", f"{old} is a {area.level.value}")
                ok = False
            elif old in self.replaced:
                self._problem(
                    row.number, "replaces", f"{old} is replaced in row {self.replaced[old]}"
                )
                ok = False
            else:
                self.replaced[old] = row.number
        return ok

    def check_file(self) -> None:
        """Whole-file checks: parents exist and fit, no unit both kept and replaced."""
        for row in self.rows.values():
            if row.code in self.replaced:
                self._problem(
                    row.number, "code", f"{row.code} is replaced in row {self.replaced[row.code]}"
                )
            allowed = AREA_PARENT_LEVELS[row.level]
            if row.parent_code is None:
                if allowed:
                    self._problem(
                        row.number, "parent_code", f"a {row.level.value} needs its parent"
                    )
                continue
            parent_level = self._parent_level(row.parent_code)
            if parent_level is None:
                self._problem(row.number, "parent_code", f"unknown area code {row.parent_code!r}")
            elif row.parent_code in self.replaced:
                self._problem(
                    row.number, "parent_code", f"{row.parent_code} is replaced in this file"
                )
            elif parent_level not in allowed:
                names = " or ".join(a.value for a in allowed) or "no parent"
                self._problem(
                    row.number, "parent_code", f"a {row.level.value} goes under a {names}"
                )
            elif row.parent_code not in self.rows and self.known[row.parent_code].retired:
                self._problem(row.number, "parent_code", f"{row.parent_code} was merged")

    def _parent_level(self, code: str) -> AreaLevel | None:
        if code in self.rows:
            return self.rows[code].level
        if code in self.known:
            return self.known[code].level
        return None


DEPTH = {AreaLevel.PROVINCE: 0, AreaLevel.CLUSTER: 1, AreaLevel.COMMUNE: 2, AreaLevel.VILLAGE: 3}


def validate_areas(session: Session, table: Table) -> list[AreaRow]:
    """Check every row and the file as a whole; ImportRejected with all problems."""
    validator = _AreaValidator(table, session)
    if any(p.row == 1 for p in validator.problems):  # a wrong header: the rows mean nothing
        raise ImportRejected(validator.problems)
    rows = [row for number, cells in table.rows if (row := validator.validate(number, cells))]
    if not table.rows:
        validator.problems.append(RowProblem(2, "", "the file holds no area rows"))
    validator.check_file()  # parents and replaced units, across the whole file
    if validator.problems:
        raise ImportRejected(sorted(validator.problems, key=lambda p: p.row))
    return rows


def import_areas(
    session: Session, actor: Actor, table: Table, *, today: date | None = None
) -> AreaImportSummary:
    """Validate the whole file, then create, update, move and merge areas (caller commits)."""
    actor.require_registry_editor()
    rows = validate_areas(session, table)
    summary = AreaImportSummary(rows=len(rows))
    known = {a.code: a for a in session.scalars(select(Area))}
    today = today or date.today()
    for row in sorted(rows, key=lambda r: (DEPTH[r.level], r.number)):
        parent = known[row.parent_code] if row.parent_code else None
        area = known.get(row.code)
        if area is None:
            area = Area(code=row.code, name=row.name, level=row.level, kind=row.kind)
            area.parent = parent
            session.add(area)
            session.flush()
            area.path = f"{parent.path if parent else '/'}{area.id}/"
            known[row.code] = area
            summary.created += 1
            audit.record(session, actor, "import_create", "area", area.code, area_fields(area))
        else:
            before = area_fields(area)
            area.name = row.name
            if row.kind:
                area.kind = row.kind
            if parent is not None and area.parent_id != parent.id:
                move_area(session, area, parent)
            changes = audit.diff(before, area_fields(area))
            if changes:
                summary.updated += 1
                audit.record(session, actor, "import_update", "area", area.code, changes)
            else:
                summary.unchanged += 1
        for old_code in row.replaces:
            summary.moved_cameras += _retire(
                session, actor, known[old_code], area, row.effective_on or today
            )
            summary.retired.append(old_code)
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        "area",
        "",
        {"created": [None, summary.created], "retired": [None, len(summary.retired)]},
    )
    return summary


def _retire(session: Session, actor: Actor, old: Area, new: Area, on: date) -> int:
    """Retire `old` into `new`: its cameras, hosts, instances, villages and coverage move."""
    before = area_fields(old)
    old.superseded_by = new
    old.retired_on = on
    result = session.execute(update(Camera).where(Camera.area_id == old.id).values(area_id=new.id))
    moved = int(getattr(result, "rowcount", 0) or 0)
    session.execute(update(Host).where(Host.area_id == old.id).values(area_id=new.id))
    session.execute(
        update(ModelInstance).where(ModelInstance.area_id == old.id).values(area_id=new.id)
    )
    for child in list(session.scalars(select(Area).where(Area.parent_id == old.id))):
        if not child.retired:
            move_area(session, child, new)
    for table, owner in ((crew_areas, "crew_id"), (user_areas, "user_id")):
        owners = set(session.scalars(select(table.c[owner]).where(table.c.area_id == old.id)))
        have = set(
            session.scalars(
                select(table.c[owner]).where(table.c.area_id == new.id, table.c[owner].in_(owners))
            )
        )
        for owner_id in sorted(owners - have):
            session.execute(table.insert().values({owner: owner_id, "area_id": new.id}))
    session.expire_all()
    audit.record(session, actor, "retire", "area", old.code, audit.diff(before, area_fields(old)))
    return int(moved or 0)


def area_rows(
    session: Session, actor: Actor, *, retired: bool = False
) -> Iterator[Sequence[object]]:
    """Export rows of the areas the actor sees, province first (retired units on request)."""
    stmt = select(Area).where(actor.area_filter(Area.path) | (Area.level == AreaLevel.PROVINCE))
    if not retired:
        stmt = stmt.where(Area.superseded_by_id.is_(None))
    areas = list(session.scalars(stmt))
    by_id = {a.id: a for a in session.scalars(select(Area))}
    for area in sorted(areas, key=lambda a: (DEPTH[a.level], a.path)):
        parent = by_id.get(area.parent_id) if area.parent_id else None
        successor = by_id.get(area.superseded_by_id) if area.superseded_by_id else None
        yield [
            area.code,
            area.name,
            area.level.value,
            area.kind,
            parent.code if parent else "",
            "",
            area.retired_on.isoformat() if area.retired_on else "",
        ] + ([successor.code if successor else ""] if retired else [])


def export_areas(
    session: Session, actor: Actor, fmt: str, *, language: str = "vi", retired: bool = False
) -> bytes:
    """The areas as CSV or XLSX, in the columns the import reads."""
    header = headers(AREA_COLUMNS, language)
    if retired:
        header.append("Sáp nhập vào" if language == "vi" else "Merged into")
    rows = area_rows(session, actor, retired=retired)
    if fmt == "xlsx":
        return write_xlsx(header, rows, title="areas")
    return write_csv(header, rows)
