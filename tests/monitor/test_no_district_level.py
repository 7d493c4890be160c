"""No hard-coded district level left: code, queries, templates, labels, dashboards, metric names.

Vietnam abolished the district level on 1 July 2025. The only places allowed to say "district" are
the migrations (they upgrade old databases) and the optional grouping kind "former district"
(huyện cũ), which keeps an old district readable as a cluster.
"""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from monitor.core.db import Database
from monitor.core.i18n import STRINGS
from monitor.core.models import AreaLevel
from monitor.core.settings import Settings
from monitor.metrics.collector import StateCollector
from monitor.registry.cameras import CameraRules
from tests.registry_data import seed_registry

ROOT = Path(__file__).parents[2]
WALKED = ("api", "monitor", "probes", "dashboards", "deploy", "bench")
SUFFIXES = {".py", ".html", ".json", ".yml", ".yaml", ".js", ".css", ".toml", ".ini", ".txt"}
MIGRATIONS = ROOT / "monitor" / "core" / "migrations" / "versions"
ALLOWED = re.compile(r"former[ _]district|huyện cũ", re.IGNORECASE)
FORBIDDEN = re.compile(r"district|huyện", re.IGNORECASE)


def _offences(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FORBIDDEN.search(ALLOWED.sub("", line)):
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return found


def test_no_source_template_dashboard_or_rule_names_a_district_level() -> None:
    walked = 0
    offences: list[str] = []
    for top in WALKED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file() or MIGRATIONS in path.parents:
                continue
            if "__pycache__" in path.parts or "static/vendor" in path.as_posix():
                continue
            walked += 1
            offences.extend(_offences(path))
    templates = list((ROOT / "api" / "templates").rglob("*.html"))
    assert walked > 100 and templates  # the walk really saw the tree and the templates
    assert offences == []


def test_the_area_levels_and_user_labels_have_no_district() -> None:
    assert [level.value for level in AreaLevel] == ["province", "cluster", "commune", "village"]
    for key, texts in STRINGS.items():
        for text in texts.values():
            assert not FORBIDDEN.search(ALLOWED.sub("", text)), (key, text)


def test_metric_names_and_labels_have_no_district(database: Database, settings: Settings) -> None:
    seed_registry(database, CameraRules.from_settings(settings))
    text = StateCollector(database).exposition().decode()
    names = set()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            names.add(sample.name)
            names.update(sample.labels)
    assert "camwatch_camera_up" in names and "area" in names
    assert not [n for n in names if FORBIDDEN.search(n)]
