"""All configuration of camwatch, read once from the environment (prefix CAMWATCH_)."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from probes.result import ProbeConfig

# Secrets that ship in examples and must never run a real deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "camwatch", "example"})


class Settings(BaseSettings):
    """camwatch settings; every field can be set as CAMWATCH_<NAME> or in a .env file."""

    model_config = SettingsConfigDict(
        env_prefix="CAMWATCH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in data_dir"
    )
    secret_key: str | None = Field(
        default=None, description="Key for encrypting camera passwords and signing sessions"
    )
    secret_key_file: Path | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    language: Literal["vi", "en"] = "vi"
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="zone of pages and exports")
    # Comma-separated in the environment: CAMWATCH_ALLOWED_PROBE_NETWORKS=10.0.0.0/8,127.0.0.0/8
    allowed_probe_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    )
    # Basic auth on snapshot URLs sends the camera password in clear; off unless https.
    snapshot_basic_auth: bool = False
    session_hours: int = 12
    # Tile URL of the /map page (http://tiles.lan/{z}/{x}/{y}.png); empty: a coordinate grid.
    map_tiles: str = ""
    map_tiles_attribution: str = ""
    # GET /metrics asks for `Authorization: Bearer <token>` when a token is set (it names camera
    # places). In production a token is required unless metrics_open says the port is private.
    metrics_token: SecretStr | None = None
    metrics_open: bool = Field(
        default=False, description="production only: serve /metrics without a token"
    )
    # Request bodies (docs/security.md): uploads of imports and reference images, small elsewhere.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_image_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    # Login throttling: failures within the window, then refused for the window.
    login_failures_per_user: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    # Webhook hosts allowed besides https hosts outside the probe networks (names or CIDRs).
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    probe_timeout_seconds: float = 10.0
    clock_drift_tolerance_seconds: float = 30.0
    rtsp_transport: Literal["tcp", "udp"] = "tcp"
    default_tcp_interval_seconds: int = 60
    default_onvif_interval_seconds: int = 900
    default_rtsp_interval_seconds: int = 900
    default_snapshot_interval_seconds: int = 900

    # Crew notifications (monitor.notifiers).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "camwatch@localhost"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key for webhook signatures; default: derived from secret key",
    )
    webhook_timeout_seconds: float = 10.0
    # Seconds before each retry; after the last one a message is dead. Comma-separated in env.
    notify_retry_seconds: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [30.0, 120.0, 600.0, 3600.0, 21600.0]
    )

    # Health evaluation and tickets (see monitor/outages/evaluator.py and tickets.py).
    down_after_failures: int = Field(
        default=3, ge=1, description="failed probes in a row to go down"
    )
    up_after_successes: int = Field(
        default=2, ge=1, description="good probes in a row to come back"
    )
    flap_transitions: int = Field(
        default=4, ge=2, description="state changes in the window = flapping"
    )
    flap_window_seconds: int = 3600
    incident_reopen_seconds: int = Field(
        default=900,
        description="a camera down again this soon after recovering resumes its incident",
    )
    ticket_after_down_seconds: int = 900
    ticket_after_degraded_seconds: int = 7200
    group_min_members: int = Field(default=3, ge=2, description="cameras down together = one group")
    group_commune_share: float = Field(default=0.6, gt=0, le=1)
    group_window_seconds: int = Field(
        default=300, description="how close in time group members fall"
    )
    raw_retention_days: int = 30
    scheduler_tick_seconds: float = 5.0
    runner_cheap_concurrency: int = 64
    # ONVIF and picture probes mostly wait for the camera (an events pull waits up to 1 s):
    # 10,000 cameras need ~11 of each a second at 1-2 s each (docs/scaling.md).
    runner_onvif_concurrency: int = 16
    # "local": probes run in the scheduler's process; "celery": sent to per-area queues.
    runner_mode: Literal["local", "celery"] = "local"
    celery_broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    celery_queue_prefix: str = "camwatch.area"
    # The area level that picks a camera's Celery queue (cluster: a queue per cụm; commune: per
    # xã/phường). Cameras outside any area of that level use the default queue.
    routing_area_level: Literal["cluster", "commune"] = "cluster"
    # The area level of the `area` label on metrics (bounded series: see docs/metrics.md).
    metrics_area_level: Literal["province", "cluster", "commune"] = "cluster"
    runner_frame_concurrency: int = 16
    # Previous grabs kept in memory for the two-grab (temporal) noise estimate; frozen detection
    # does not need them (docs/scaling.md). 0 turns the memory off.
    frame_memory_mb: int = 32

    @field_validator("allowed_probe_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("notify_retry_seconds", mode="before")
    @classmethod
    def _split_retries(cls, value: object) -> object:
        if isinstance(value, str):
            return [float(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_probe_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for net in value:
            ipaddress.ip_network(net, strict=False)
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            key = self.secret_key
            if key is None and self.secret_key_file is not None:
                key = self.secret_key_file.read_text().strip()
            if key is None or key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "CAMWATCH_SECRET_KEY (or CAMWATCH_SECRET_KEY_FILE) must be set to a random "
                    "value of at least 32 characters outside development"
                )
            token = self.metrics_token.get_secret_value() if self.metrics_token else ""
            if not self.metrics_open and (token.lower() in PLACEHOLDER_SECRETS or len(token) < 16):
                raise ValueError(
                    "CAMWATCH_METRICS_TOKEN must be set to a random value of at least 16 "
                    "characters in production (Prometheus sends it as a bearer token), or "
                    "CAMWATCH_METRICS_OPEN=true when only a private network reaches /metrics"
                )
        return self

    @property
    def cookie_secure(self) -> bool:
        """Session cookies are Secure unless this is explicitly development/test over http."""
        return self.environment == "production" or not self.public_url.startswith("http://")

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use (the SQLite file in data_dir unless configured)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'camwatch.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The secret key; in development one is generated once into data_dir/secret.key."""
        if self.secret_key:
            return self.secret_key
        if self.secret_key_file is not None:
            return self.secret_key_file.read_text().strip()
        if self.environment == "production":  # pragma: no cover - refused by the validator
            raise RuntimeError("no secret key configured")
        key_file = self.data_dir / "secret.key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @cached_property
    def resolved_webhook_secret(self) -> bytes:
        """The webhook HMAC key: configured, or derived from (never equal to) the secret key."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value().encode()
        return (
            hashlib.sha256(b"camwatch/webhook-signature/v1\x00" + self.resolved_secret_key.encode())
            .hexdigest()
            .encode()
        )

    @cached_property
    def probe_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The allowed probe networks, parsed."""
        return [ipaddress.ip_network(net, strict=False) for net in self.allowed_probe_networks]

    def probe_config(self) -> ProbeConfig:
        """The probe behaviour derived from these settings."""
        return ProbeConfig(
            clock_drift_tolerance_seconds=self.clock_drift_tolerance_seconds,
            rtsp_transport=self.rtsp_transport,
            allowed_networks=tuple(self.probe_networks),
            snapshot_basic_auth=self.snapshot_basic_auth,
        )


def get_settings() -> Settings:
    """Read the settings from the environment."""
    return Settings()
