"""Static checks of the observability and deployment files Grafana, Prometheus and compose load."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "dashboards" / "grafana"
RULES = ROOT / "dashboards" / "prometheus" / "camwatch-rules.yml"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def _datasource_uid() -> str:
    provisioning = yaml.safe_load((GRAFANA / "provisioning/datasources/camwatch.yml").read_text())
    assert provisioning["apiVersion"] == 1
    (source,) = provisioning["datasources"]
    assert source["type"] == "prometheus" and source["url"]
    return source["uid"]


def test_promtool_accepts_the_rules():
    done = subprocess.run(
        [PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_says_what_and_where():
    rules = yaml.safe_load(RULES.read_text())
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert {a["alert"] for a in alerts} >= {
        "CamwatchAreaAvailabilityLow",
        "CamwatchCameraDownLong",
        "CamwatchSchedulerLagHigh",
        "CamwatchAreaProbesFailing",
        "CamwatchNotificationsDeadLettering",
    }
    for alert in alerts:
        assert alert["labels"]["severity"] in {"warning", "critical"}
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]


def test_the_example_prometheus_config_passes_promtool(tmp_path: Path):
    config = yaml.safe_load((ROOT / "dashboards/prometheus/prometheus.yml").read_text())
    (rule_file,) = config["rule_files"]
    assert Path(rule_file).name == RULES.name  # the compose file mounts the rules there
    config["rule_files"] = [str(RULES)]
    token = tmp_path / "camwatch-metrics-token"  # compose provides it from deploy/.env
    token.write_text("m" * 24)
    for job in config["scrape_configs"]:
        if "authorization" in job:
            job["authorization"]["credentials_file"] = str(token)
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    done = subprocess.run(
        [PROMTOOL, "check", "config", str(local)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dashboard_provider_points_at_the_mounted_dashboards():
    provisioning = yaml.safe_load((GRAFANA / "provisioning/dashboards/camwatch.yml").read_text())
    (provider,) = provisioning["providers"]
    assert provider["type"] == "file"
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert any(m.endswith(":" + provider["options"]["path"] + ":ro") for m in mounts), mounts


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_dashboard_has_what_provisioning_needs(path: Path):
    dashboard = json.loads(path.read_text())
    uid = _datasource_uid()
    assert dashboard["uid"] and len(dashboard["uid"]) <= 40
    assert dashboard["title"].startswith("camwatch / ")
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["schemaVersion"] >= 36
    assert "id" not in dashboard or dashboard["id"] is None  # provisioning assigns ids
    assert isinstance(dashboard["templating"]["list"], list)
    for var in dashboard["templating"]["list"]:
        assert var["datasource"]["uid"] == uid and var["definition"].startswith("label_values(")
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)) and ids
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid and target["expr"] and target["refId"]


def test_dashboard_uids_are_unique_and_cover_the_views():
    uids = [json.loads(p.read_text())["uid"] for p in DASHBOARDS]
    assert len(uids) == len(set(uids))
    assert set(uids) == {
        "camwatch-fleet",
        "camwatch-area",
        "camwatch-camera",
        "camwatch-map",
        "camwatch-tickets",
        "camwatch-self",
    }
    (geomap,) = [
        p
        for p in json.loads((GRAFANA / "dashboards/camwatch-map.json").read_text())["panels"]
        if p["type"] == "geomap"
    ]
    location = geomap["options"]["layers"][0]["location"]
    assert location == {"mode": "coords", "latitude": "latitude", "longitude": "longitude"}
    assert "camwatch_camera_info" in geomap["targets"][0]["expr"]


def test_compose_has_the_roles_and_every_mounted_file_exists():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    services = compose["services"]
    assert {"camwatch", "postgres", "prometheus", "grafana"} <= set(services)
    assert "profiles" not in services["camwatch"]  # api + scheduler run by default
    assert services["camwatch-scheduler"]["profiles"] == ["split"]
    assert services["camwatch-worker"]["profiles"] == ["celery"]
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (ROOT / "deploy" / source).resolve().exists(), (name, mount)
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)  # behind a proxy, never open


def test_dockerfile_runs_as_non_root_with_a_health_check():
    lines = (ROOT / "deploy/Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and not users[-1].startswith(("root", "0"))
    health = " ".join(line for line in lines if "HEALTHCHECK" in line or "/healthz" in line)
    assert "/healthz" in health


def test_example_environment_holds_no_secret():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy/.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for key in ("CAMWATCH_SECRET_KEY", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
        assert values[key] == "", key


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path: Path):
    camwatch = shutil.which("camwatch") or str(ROOT / ".venv/bin/camwatch")
    units = []
    for unit in sorted((ROOT / "deploy/systemd").glob("*.service")):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("/opt/camwatch/bin/camwatch", camwatch))
        units.append(str(copy))
    assert len(units) == 2
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
