"""Jinja2 templating for the server-rendered pages: one environment, one `render()`.

A page router does::

    from api.web.auth import PageActor, page_roles
    from api.web.templating import render

    @router.get("/models")
    def models_page(request: Request, actor: PageActor) -> HTMLResponse:
        return render(request, "models/list.html", {"rows": rows}, actor=actor)

Every template extends `base.html` (blocks `title` and `content`) and gets these globals: `t(key)`
(UI string in the page's language), `lang`, `actor`, `nav` (the items this actor may see),
`fault_label(code)`, `fault_labels(codes)`, `duration(seconds)`, `dt(datetime)`, `url_with(**kw)`
(this page's URL with query parameters replaced), `csrf_field()` (put it in every POST form,
see api/guard.py). Add a navigation entry with `add_nav_item()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.web.csrf import csrf_field, csrf_value
from monitor.core import i18n
from monitor.core.access import Actor
from monitor.core.localtime import format_local, zone_label
from monitor.core.models import Role

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LANG_COOKIE = "camwatch_lang"

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link in the top navigation, shown to the given roles."""

    path: str
    label_key: str
    roles: frozenset[Role] = ALL_ROLES


NAV: list[NavItem] = [
    NavItem("/", "nav.home"),
    NavItem("/map", "nav.map"),
    NavItem("/outages", "nav.outages"),
    NavItem("/coverage", "nav.coverage", frozenset({Role.ADMIN, Role.TECHNICIAN, Role.POLICE})),
    NavItem("/tickets", "nav.tickets"),
    # Reports are for admins, technicians and police: a crew would only meet a 403 there.
    NavItem("/reports", "nav.reports", frozenset({Role.ADMIN, Role.TECHNICIAN, Role.POLICE})),
]


def add_nav_item(path: str, label_key: str, roles: frozenset[Role] | None = None) -> None:
    """Add a navigation link (label is an i18n key) for the given roles (all when None)."""
    if all(item.path != path for item in NAV):
        NAV.append(NavItem(path, label_key, roles or ALL_ROLES))


env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "xml", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(csrf_field=csrf_field, csrf_value=csrf_value)


def request_lang(request: Request, actor: Actor | None = None) -> str:
    """The page language: ?lang=, then the language cookie, then Vietnamese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return i18n.normalize_lang(asked)


def format_dt(value: datetime | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM' in Vietnam time (empty for None)."""
    return format_local(value)


def _url_with(request: Request):
    def url_with(**changes: Any) -> str:
        params = dict(request.query_params.multi_items())
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        query = urlencode(params)
        return f"{request.url.path}?{query}" if query else request.url.path

    return url_with


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with the page globals into an HTML response."""
    lang = request_lang(request, actor)
    nav = [item for item in NAV if actor is not None and actor.role in item.roles]
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "actor": actor,
        "nav": nav,
        "t": lambda key: i18n.t(key, lang),
        "fault_label": lambda code: i18n.fault_label(code, lang),
        "fault_labels": lambda codes: i18n.fault_labels(list(codes or ()), lang),
        "duration": lambda seconds: i18n.format_duration(seconds, lang),
        "dt": format_dt,
        "url_with": _url_with(request),
        "path": request.url.path,
        "zone": zone_label(),
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
