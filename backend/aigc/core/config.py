"""Platform settings, read once from the environment and an optional `.env` in the base folder (AIGC_HOME)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _base_dir() -> Path:
    """The folder that holds `.env` and against which relative paths (DATA_DIR, ...) resolve.

    AIGC_HOME when set; else the source checkout this package runs from (an editable install keeps this
    file at <checkout>/backend/aigc/core/config.py, so `./scripts/start.sh` and the tests work from the
    checkout's root whatever the current directory); else, for an installed wheel, the current directory.
    """
    home = os.environ.get("AIGC_HOME")
    if home:
        return Path(home).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "backend" / "pyproject.toml").is_file() and (checkout / "backend" / "aigc").is_dir():
        return checkout
    return Path.cwd().resolve()


# Fixed when the process starts: a server does not move its data because a job changed directory.
BASE_DIR = _base_dir()

# Secrets that ship in docs or examples; a production server must never run with one of them.
KNOWN_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "please-change-this-secret-key"}
MIN_JWT_SECRET_LENGTH = 32


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the setting and the problem in one line."""


class Settings(BaseSettings):
    """Every setting of the platform. Environment variable names are the field names upper-cased."""

    model_config = SettingsConfigDict(
        env_file=BASE_DIR / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `NAME=` (as in .env.example) means "not set", not "set to an empty string".
        env_ignore_empty=True,
    )

    # --- server
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    debug: bool = False
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:5173", "http://127.0.0.1:5173"]
    max_request_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    public_base_url: str = ""
    # The built web app; served from this server when it exists (production), else use `npm run dev`.
    frontend_dist_dir: Path = Path("frontend/aigc-frontend/dist")

    # --- model
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    default_model: str = "sonnet"
    # Aliases the scenarios may name; the deployment decides what each one means.
    model_aliases: dict[str, str] = {
        "sonnet": "claude-sonnet-4-5",
        "haiku": "claude-haiku-4-5",
        "opus": "claude-opus-4-1",
    }
    demo_model_port: int = Field(default=8765, ge=1, le=65535)

    # --- agent runtime limits
    agent_max_concurrent_runs: int = Field(default=8, ge=1)
    agent_turn_timeout_seconds: float = Field(default=600, gt=0)
    # A stream that sends nothing for this long is treated as stalled and the turn is ended.
    agent_stall_timeout_seconds: float = Field(default=90, gt=0)
    # A warm agent client is released after this much idle time; the next turn resumes from the transcript.
    agent_idle_release_seconds: float = Field(default=600, gt=0)
    agent_max_retries: int = Field(default=2, ge=0, le=15)
    agent_request_timeout_ms: int = Field(default=60_000, ge=1000)
    agent_default_max_turns: int = Field(default=20, ge=1)
    # Shell commands (scenarios with Bash) of one session, all running commands together; see aigc/agent/sandbox.py.
    agent_shell_cpu_seconds: int = Field(default=300, ge=1)
    agent_shell_cpu_cores: float = Field(default=1.0, gt=0)
    agent_shell_memory_mb: int = Field(default=1024, ge=64)
    agent_shell_max_processes: int = Field(default=128, ge=8)
    agent_shell_output_mb: int = Field(default=64, ge=1)
    agent_shell_disk_mb: int = Field(default=1024, ge=1)
    # --- MCP servers (registered by admins, attached to scenarios)
    # HTTP/SSE servers on loopback, private or link-local addresses are refused unless this is true: through
    # a scenario's agent, users could otherwise reach the deployment's internal services.
    mcp_allow_private_networks: bool = False
    # One MCP tool call may take this long; then it ends with an error the model and the user can read.
    mcp_tool_timeout_seconds: float = Field(default=60, gt=0)

    # --- files users attach to chat messages (refused with a 413 or 422 past these)
    upload_max_file_mb: int = Field(default=25, ge=1)
    # Files in one upload request, and attachments named by one message.
    upload_max_files: int = Field(default=10, ge=1, le=100)
    upload_max_session_mb: int = Field(default=200, ge=1)
    upload_quota_user_mb: int = Field(default=1024, ge=1)

    # --- scheduled jobs and preference learning
    scheduler_enabled: bool = True
    preference_learning_interval_minutes: int = Field(default=60, ge=1)
    preference_min_feedback_count: int = Field(default=5, ge=1)
    # A cheap model is plenty for summarising ratings; the statistical learner takes over when it fails.
    preference_learning_model: str = "haiku"
    preference_learning_use_model: bool = True
    preference_learning_timeout_seconds: float = Field(default=30, gt=0)

    # --- retention (off unless set): archive sessions untouched this many days, delete them after that many
    retention_archive_after_days: int | None = Field(default=None, ge=1)
    retention_delete_after_days: int | None = Field(default=None, ge=1)

    # --- storage and paths (relative paths resolve against BASE_DIR: AIGC_HOME, the checkout or the cwd)
    database_url: str = ""
    data_dir: Path = Path("data")
    work_dir: Path = Path("work_dir")
    log_dir: Path = Path("logs")
    minio_endpoint: str | None = None
    minio_access_key: SecretStr | None = None
    minio_secret_key: SecretStr | None = None
    minio_bucket: str = "aigc-artifacts"
    minio_secure: bool = False
    minio_region: str | None = None

    # --- scale-out (all empty: the whole platform runs in this one process, as `./scripts/start.sh` does)
    # Redis: turn event streams any web replica can follow, stop signals, warm-agent affinity.
    redis_url: str = ""
    # Celery broker (redis:// or amqp://): with it, `aigc serve` dispatches turns to `aigc worker` processes.
    broker_url: str = ""
    # Every key and channel of the platform in Redis starts with this (deployments sharing a Redis differ).
    redis_key_prefix: str = "aigc:"
    # A finished turn's events stay in its stream this long, for clients re-attaching just after the end.
    turn_stream_ttl_seconds: int = Field(default=120, ge=1)
    # A worker renews its lease on a running turn this often; a lease unrenewed for 3 beats ends the turn.
    worker_heartbeat_seconds: float = Field(default=2.0, gt=0)
    # `aigc worker` serves Prometheus metrics on HOST at this port (0: none); it has no HTTP API of its own.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)

    # --- tracing (OpenTelemetry): off unless a collector is named; then one trace per turn, web to worker
    # The collector's OTLP/HTTP base URL (Jaeger, Tempo, an OpenTelemetry Collector: http://host:4318).
    otel_exporter_otlp_endpoint: str = ""
    # Empty: `aigc-web` for `aigc serve`, `aigc-worker` for `aigc worker`.
    otel_service_name: str = ""
    # Share of turns traced (the worker follows the web replica's choice).
    tracing_sample_ratio: float = Field(default=1.0, ge=0, le=1)

    # --- database tuning
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    db_pool_size: int = Field(default=10, ge=1)
    db_echo: bool = False

    # --- auth
    jwt_secret_key: SecretStr = SecretStr("")
    access_token_expire_minutes: int = Field(default=30, ge=1, le=24 * 60)
    refresh_token_expire_days: int = Field(default=14, ge=1, le=365)
    registration_mode: Literal["open", "admin_only"] = "open"
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    login_max_attempts_per_ip: int = Field(default=30, ge=1)
    login_ip_window_seconds: int = Field(default=60, ge=1)
    rate_limit_storage_uri: str = "memory://"
    # argon2id cost; the defaults are pwdlib's recommended ones, tests lower them for speed.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)

    # --- monitoring: GET /metrics (Prometheus); with a token, scrapers must send it as a Bearer token
    metrics_token: SecretStr | None = None

    # --- logging
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    log_backup_count: int = Field(default=6, ge=0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept a comma-separated list, the natural way to write it in a .env file."""
        if isinstance(value, str):
            stripped = value.strip()
            if stripped.startswith("["):
                import json

                return json.loads(stripped)
            return [item.strip() for item in stripped.split(",") if item.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (the async drivers the platform uses)"
            )
        return value

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _otlp_over_http(cls, value: str) -> str:
        # The exporter speaks OTLP/HTTP; a gRPC address (port 4317, no scheme) would fail on every export.
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be the collector's OTLP/HTTP URL, e.g. http://localhost:4318")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _retention_order(self) -> Settings:
        archive, delete = self.retention_archive_after_days, self.retention_delete_after_days
        if archive and delete and delete <= archive:
            raise ValueError("RETENTION_DELETE_AFTER_DAYS must be larger than RETENTION_ARCHIVE_AFTER_DAYS")
        return self

    @model_validator(mode="after")
    def _scale_out_needs_redis(self) -> Settings:
        if self.broker_url and not self.redis_url:
            raise ValueError(
                "BROKER_URL needs REDIS_URL too: workers stream each turn's events to web replicas through Redis"
            )
        return self

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        self.data_dir = _from_root(self.data_dir)
        self.work_dir = _from_root(self.work_dir)
        self.log_dir = _from_root(self.log_dir)
        self.frontend_dist_dir = _from_root(self.frontend_dist_dir)
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'sessions.db'}"
        elif self.database_url.startswith("sqlite+aiosqlite:///") and not self.database_url.startswith(
            "sqlite+aiosqlite:////"
        ):
            relative = self.database_url.removeprefix("sqlite+aiosqlite:///")
            if relative and not relative.startswith(":memory:"):
                self.database_url = f"sqlite+aiosqlite:///{_from_root(Path(relative))}"
        return self

    # --- derived values
    @property
    def scale_out(self) -> bool:
        """Turns run on `aigc worker` processes reached through the broker, not in the web process."""
        return bool(self.broker_url)

    @property
    def tracing_enabled(self) -> bool:
        """Spans are made and exported over OTLP/HTTP (aigc.core.tracing)."""
        return bool(self.otel_exporter_otlp_endpoint)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def upload_max_request_bytes(self) -> int:
        """The body an upload request may have: its files at their largest, and room for the multipart framing."""
        return self.upload_max_files * self.upload_max_file_mb * 1024 * 1024 + 1024 * 1024

    @property
    def minio_enabled(self) -> bool:
        return bool(self.minio_endpoint and self.minio_access_key and self.minio_secret_key)

    @property
    def demo_model_enabled(self) -> bool:
        """No API key configured: the platform talks to its own scripted model."""
        return self.anthropic_api_key is None or not self.anthropic_api_key.get_secret_value()

    def resolve_model(self, name: str | None) -> str:
        """Map an alias such as `sonnet` to the model id this deployment uses."""
        chosen = (name or self.default_model).strip()
        return self.model_aliases.get(chosen, chosen)

    def jwt_secret(self) -> str:
        return self.jwt_secret_key.get_secret_value()


def _from_root(path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (BASE_DIR / path).resolve()


def _check_production_rules(settings: Settings) -> Settings:
    secret = settings.jwt_secret()
    weak = secret.strip().lower() in KNOWN_PLACEHOLDER_SECRETS or len(secret) < MIN_JWT_SECRET_LENGTH
    if weak and not settings.debug:
        if not secret:
            problem = "is not set"
        elif secret.strip().lower() in KNOWN_PLACEHOLDER_SECRETS:
            problem = "is a known placeholder"
        else:
            problem = f"is shorter than {MIN_JWT_SECRET_LENGTH} characters"
        raise ConfigError(
            f"JWT_SECRET_KEY {problem}; set a random value of at least {MIN_JWT_SECRET_LENGTH} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or run with DEBUG=true"
        )
    if weak:
        # Debug servers get a throw-away secret: tokens die with the process, which is fine for development.
        settings.jwt_secret_key = SecretStr(secrets.token_urlsafe(48))
    return settings


def env_file_path() -> Path:
    """The file settings are read from besides the environment (it holds secrets: shell commands never see it).

    AIGC_ENV_FILE picks another file (tests point it at none, so a developer's .env never leaks in).
    """
    return Path(os.environ.get("AIGC_ENV_FILE") or BASE_DIR / ".env")


def load_settings(**overrides: object) -> Settings:
    """Build and check settings; raise ConfigError with one readable line on the first bad value."""
    try:
        settings = Settings(_env_file=env_file_path(), **overrides)  # type: ignore[arg-type]  # pydantic checks overrides at run time
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper() or "settings"
        raw = first.get("input")
        shown = (
            ""
            if isinstance(raw, dict) or "secret" in name.lower() or "key" in name.lower()
            else f" (got {raw!r})"
        )
        raise ConfigError(f"Invalid setting {name}: {first['msg']}{shown}") from None
    return _check_production_rules(settings)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; the only way code reads configuration."""
    return load_settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests and config reload)."""
    get_settings.cache_clear()
