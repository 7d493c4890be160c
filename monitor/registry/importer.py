"""All-or-nothing import of camera spreadsheets: validate every row, then upsert by code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.errors import ImportRejected, InvalidData, RowProblem
from monitor.core.models import Area, Camera, Host, HostKind
from monitor.registry.cameras import PLAIN_FIELDS, CameraRules, camera_fields
from monitor.registry.columns import CAMERA_COLUMNS, HOST_FIELDS, Column, map_header
from monitor.registry.network import check_probe_host, check_probe_url
from monitor.registry.schemas import CameraCreate
from monitor.registry.sheets import Table

Progress = Callable[[int, int], None]
RowT = TypeVar("RowT", covariant=True)

TRUE_WORDS = {"1", "true", "yes", "y", "x", "co", "có", "bat", "bật"}
FALSE_WORDS = {"0", "false", "no", "n", "khong", "không", "tat", "tắt"}
REQUIRED_FIELDS = ("code", "name", "area_code", "onvif_host")
_PHONE = re.compile(r"^[0-9+()\-. ]{0,40}$")
_CHUNK = 500

# Largest camera file accepted (a province of 10,000 cameras is ~2 MB as CSV).
MAX_IMPORT_BYTES = 50 * 1024 * 1024


@dataclass(slots=True)
class ImportSummary:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    hosts_created: int = 0
    created_codes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    number: int
    camera: CameraCreate
    host: dict[str, str]


def parse_bool(text: str) -> bool:
    """A yes/no cell (có/không, 1/0, x) as a bool; ValueError otherwise."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("expected yes/no (có/không, 1/0)")


def parse_date(text: str) -> date:
    """A date cell in ISO or Vietnamese day-first form; ValueError otherwise."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("expected a date like 2024-03-31 or 31/03/2024")


class _RowValidator:
    """Validates rows one by one, collecting every problem with its row and column."""

    def __init__(self, table: Table, session: Session, rules: CameraRules) -> None:
        self.problems: list[RowProblem] = []
        self.rules = rules
        mapped = map_header(table.header, CAMERA_COLUMNS, REQUIRED_FIELDS)
        self.problems.extend(mapped.problems)
        self.columns: list[tuple[int, Column]] = mapped.columns
        self.header_of: dict[str, str] = mapped.header_of
        self.areas = {a.code: a for a in session.scalars(select(Area))}
        self.codes: dict[str, int] = {}

    def _problem(self, row: int, field_name: str, reason: str) -> None:
        self.problems.append(RowProblem(row, self.header_of.get(field_name, field_name), reason))

    def validate(self, number: int, cells: list[str]) -> _Row | None:
        values: dict[str, Any] = {}
        host: dict[str, str] = {}
        ok = True
        for position, column in self.columns:
            text = cells[position].strip() if position < len(cells) else ""
            if not text:
                continue
            try:
                if column.field in HOST_FIELDS:
                    host[column.field] = text
                elif column.field == "enabled":
                    values["enabled"] = parse_bool(text)
                elif column.field == "installed_on":
                    values["installed_on"] = parse_date(text)
                elif column.field == "tags":
                    values["tags"] = [t.strip() for t in re.split(r"[,;]", text) if t.strip()]
                else:
                    values[column.field] = text
            except ValueError as exc:
                self._problem(number, column.field, str(exc))
                ok = False
        for name in REQUIRED_FIELDS:
            if name not in values and name in self.header_of:
                self._problem(number, name, "value is required")
                ok = False
        try:
            camera = CameraCreate(**values)
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                if name in REQUIRED_FIELDS and name not in values:
                    continue  # already reported as missing
                self._problem(number, name, error["msg"])
            return None
        if not ok:
            return None
        if camera.code in self.codes:
            self._problem(
                number, "code", f"camera code repeats row {self.codes[camera.code]} of this file"
            )
            return None
        self.codes[camera.code] = number
        return self._check_references(number, camera, host)

    def _check_references(
        self, number: int, camera: CameraCreate, host: dict[str, str]
    ) -> _Row | None:
        ok = True
        if camera.area_code not in self.areas:
            self._problem(number, "area_code", f"unknown area code {camera.area_code!r}")
            ok = False
        try:
            check_probe_host(camera.onvif_host, self.rules.networks)
            check_probe_url(camera.rtsp_url, self.rules.networks)
            check_probe_url(camera.snapshot_url, self.rules.networks)
        except InvalidData as exc:
            self._problem(number, "onvif_host", str(exc))
            ok = False
        if host:
            if "host_name" not in host:
                self._problem(number, "host_name", "host details given without the host's name")
                ok = False
            if not _PHONE.match(host.get("host_phone", "")):
                self._problem(number, "host_phone", "phone number may hold only digits, + ( ) - .")
                ok = False
            kind = host.get("host_kind", HostKind.HOUSEHOLD.value)
            if kind not in {k.value for k in HostKind}:
                allowed = ", ".join(k.value for k in HostKind)
                self._problem(number, "host_kind", f"must be one of {allowed}")
                ok = False
        return _Row(number, camera, host) if ok else None


class RowValidator(Protocol[RowT]):
    """Checks one row at a time, collecting every problem it finds."""

    problems: list[RowProblem]

    def validate(self, number: int, cells: list[str]) -> RowT | None: ...


def validate_rows(validator: RowValidator[RowT], table: Table, noun: str) -> list[RowT]:
    """Check every row (unless the header is already wrong); ImportRejected with all problems."""
    rows: list[RowT] = []
    if not any(p.row == 1 for p in validator.problems):
        for number, cells in table.rows:
            row = validator.validate(number, cells)
            if row is not None:
                rows.append(row)
    if not table.rows and not validator.problems:
        validator.problems.append(RowProblem(2, "", f"the file holds no {noun} rows"))
    if validator.problems:
        raise ImportRejected(validator.problems)
    return rows


def validate_table(session: Session, table: Table, rules: CameraRules) -> list[_Row]:
    """Check every camera row; ImportRejected with all problems when any row is wrong."""
    return validate_rows(_RowValidator(table, session, rules), table, "camera")


def import_cameras(
    session: Session,
    actor: Actor,
    table: Table,
    rules: CameraRules,
    progress: Progress | None = None,
) -> ImportSummary:
    """Validate the whole table, then create or update cameras by code (caller commits)."""
    actor.require_registry_editor()
    rows = validate_table(session, table, rules)
    summary = ImportSummary(rows=len(rows))
    areas = {a.code: a for a in session.scalars(select(Area))}
    existing: dict[str, Camera] = {}
    codes = [row.camera.code for row in rows]
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        existing.update(
            (c.code, c) for c in session.scalars(select(Camera).where(Camera.code.in_(chunk)))
        )
    hosts: dict[str, list[Host]] = {}
    for known in session.scalars(select(Host).options(joinedload(Host.area))):
        hosts.setdefault(known.name, []).append(known)
    for done, row in enumerate(rows, start=1):
        area = areas[row.camera.area_code]
        host = _upsert_host(session, row.host, area, hosts, summary) if row.host else None
        camera = existing.get(row.camera.code)
        if camera is None:
            camera = Camera(code=row.camera.code, area=area, host=host, probe_profile={}, tags=[])
            _assign(camera, row.camera, rules, new=True)
            session.add(camera)
            summary.created += 1
            summary.created_codes.append(camera.code)
            audit.record(session, actor, "import_create", "camera", camera.code)
        else:
            before = camera_fields(camera)
            if camera.area_id != area.id:
                camera.area = area
            if host is not None and camera.host_id != host.id:
                camera.host = host
            _assign(camera, row.camera, rules, new=False)
            changes = audit.diff(before, camera_fields(camera))
            if changes:
                summary.updated += 1
                audit.record(session, actor, "import_update", "camera", camera.code, changes)
            else:
                summary.unchanged += 1
        if progress is not None and (done % 200 == 0 or done == len(rows)):
            progress(done, len(rows))
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        "camera",
        "",
        {"created": [None, summary.created], "updated": [None, summary.updated]},
    )
    return summary


def _assign(camera: Camera, data: CameraCreate, rules: CameraRules, *, new: bool) -> None:
    values = data.model_dump(exclude_unset=True)
    for name in PLAIN_FIELDS:
        if name in values and getattr(camera, name) != values[name]:
            setattr(camera, name, values[name])
    if data.password is not None:
        secret = data.password.get_secret_value()
        current = camera.password_encrypted
        # Fernet output differs at every call: re-encrypt only a changed password, so importing
        # the same file twice changes nothing.
        if new or current is None or rules.box.decrypt(current) != secret:
            camera.password_encrypted = rules.box.encrypt(secret)


def _upsert_host(
    session: Session,
    data: dict[str, str],
    area: Area,
    hosts: dict[str, list[Host]],
    summary: ImportSummary,
) -> Host:
    # A host registered at a commune also serves the cameras of its villages: reuse the host of
    # that name in the camera's area or the nearest area above it before creating a new one.
    name = data["host_name"]
    candidates = [h for h in hosts.get(name, []) if area.path.startswith(h.area.path)]
    host = max(candidates, key=lambda h: len(h.area.path), default=None)
    if host is None:
        host = Host(name=name, area=area, address="")
        session.add(host)
        session.flush()
        hosts.setdefault(name, []).append(host)
        summary.hosts_created += 1
    if "host_kind" in data:
        host.kind = HostKind(data["host_kind"])
    if "host_contact" in data:
        host.contact_name = data["host_contact"]
    if "host_phone" in data:
        host.contact_phone = data["host_phone"]
    return host
