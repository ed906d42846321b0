"""Static checks of the scale-out deployment (deploy/docker-compose.scale.yml, deploy/nginx/aigc.conf): the
files agree with the code, so a renamed setting, port, route or command cannot leave them quietly wrong.
tests/deploy/test_nginx.py runs the nginx file for real."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import typer.main
import yaml
from fastapi import FastAPI

from aigc.cli import app as cli_app
from aigc.core.config import BASE_DIR as REPO_ROOT
from aigc.core.config import Settings

DEPLOY = REPO_ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.scale.yml"
NGINX_CONFIG = DEPLOY / "nginx" / "aigc.conf"
SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
# Read by the images next to ours, or by uvicorn (which `aigc serve` runs), not by the platform's settings.
OTHER_VARIABLES = {
    "postgres": re.compile(r"^POSTGRES_"),
    "minio": re.compile(r"^MINIO_ROOT_"),
    "web": re.compile(r"^FORWARDED_ALLOW_IPS$"),
}
PLATFORM_ROLES = ("web", "worker", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def nginx() -> str:
    return NGINX_CONFIG.read_text()


def _aigc_command(service: dict[str, Any]) -> list[str]:
    """The `aigc ...` words a service runs last (after `exec` when it is a shell line)."""
    command = service["command"]
    line = command[-1] if command[:2] == ["sh", "-c"] else " ".join(command)
    return line.rsplit("exec ", 1)[-1].split()


def _env_example_names() -> set[str]:
    text = (DEPLOY / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


class TestRoles:
    def test_one_image_runs_every_role(self, services: dict[str, Any]) -> None:
        for role in PLATFORM_ROLES:
            service = services[role]
            assert service["image"] == "aigc:latest" and service["build"]["dockerfile"] == "deploy/Dockerfile"
            assert service["env_file"] == ".env"

    def test_commands_are_real_aigc_commands(self, services: dict[str, Any]) -> None:
        assert _aigc_command(services["web"]) == ["aigc", "serve"]
        assert _aigc_command(services["worker"]) == ["aigc", "worker"]
        assert _aigc_command(services["migrate"]) == ["aigc", "db", "upgrade"]
        group = typer.main.get_command(cli_app)
        commands = group.commands  # type: ignore[attr-defined]
        assert {"serve", "worker", "mock-model"} <= set(commands)
        assert "upgrade" in commands["db"].commands

    def test_migrations_run_once_before_replicas_and_workers(self, services: dict[str, Any]) -> None:
        upgrades = [
            name for name, service in services.items() if "upgrade" in str(service.get("command", ""))
        ]
        assert upgrades == ["migrate"]
        assert services["migrate"]["restart"] == "no"
        for role in ("web", "worker"):
            assert services[role]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
            assert services[role]["depends_on"]["redis"] == {"condition": "service_healthy"}

    def test_scale_out_is_configured_for_every_role(self, services: dict[str, Any]) -> None:
        for role in PLATFORM_ROLES:
            environment = services[role]["environment"]
            assert environment["REDIS_URL"].startswith("redis://redis:")
            assert environment["BROKER_URL"].startswith(("redis://redis:", "amqp://"))
            assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
            assert environment["MINIO_ENDPOINT"] == "minio:9000"
            # The transcript store's keys are made from WORK_DIR: the image's one path everywhere.
            assert "WORK_DIR" not in environment
        assert services["web"]["deploy"]["replicas"] >= 2 and services["worker"]["deploy"]["replicas"] >= 2

    def test_replicas_share_no_folder(self, services: dict[str, Any]) -> None:
        """A named volume is one folder for every replica: DATA_DIR and WORK_DIR must stay per container."""
        for role in ("web", "worker"):
            assert not services[role].get("volumes"), role
        assert "ports" not in services["web"] and "ports" not in services["worker"]

    def test_workers_get_time_to_finish_their_turns(self, services: dict[str, Any]) -> None:
        grace = services["worker"]["stop_grace_period"]
        assert (
            grace.endswith("s")
            and int(grace[:-1]) > Settings.model_fields["agent_turn_timeout_seconds"].default
        )
        # The demo model must outlive the worker's stop signal: it runs in a session of its own.
        assert "setsid aigc mock-model" in services["worker"]["command"][-1]

    async def test_health_checks_ask_real_endpoints(
        self, services: dict[str, Any], client: httpx.AsyncClient
    ) -> None:
        web = " ".join(services["web"]["healthcheck"]["test"])
        port = Settings.model_fields["port"].default
        path = re.search(rf"http://127\.0\.0\.1:{port}(/[\w/]+)", web)
        assert path, web
        assert (await client.get(path.group(1))).status_code == 200
        worker = " ".join(services["worker"]["healthcheck"]["test"])
        metrics_port = services["worker"]["environment"]["WORKER_METRICS_PORT"]
        assert f"http://127.0.0.1:{metrics_port}/metrics" in worker
        assert "worker_metrics_port" in Settings.model_fields


class TestVariables:
    def test_environment_names_are_settings_or_image_variables(self, services: dict[str, Any]) -> None:
        for name, service in services.items():
            allowed = OTHER_VARIABLES.get(name)
            for variable in service.get("environment", {}) or {}:
                known = variable in SETTINGS_NAMES or (allowed and allowed.match(variable))
                assert known, f"{name}: {variable}"

    def test_interpolated_names_are_in_the_env_example(self) -> None:
        text = COMPOSE.read_text()
        for name in re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text):
            assert name in _env_example_names(), f"{name} is used by compose but not listed in .env.example"
        # The shell in a container reads $$NAME; a single $ would be filled in by Compose from the host.
        assert not re.findall(r"(?<!\$)\$[A-Z]", text)


class TestNginx:
    def test_it_balances_the_web_service(self, services: dict[str, Any], nginx: str) -> None:
        port = Settings.model_fields["port"].default
        assert re.search(rf"^\s*server web:{port} resolve\b", nginx, re.M)
        assert re.search(r"^\s*zone aigc_web ", nginx, re.M)  # `resolve` needs a shared zone
        assert "./nginx/aigc.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
        # `server ... resolve` arrived in nginx 1.27.3.
        version = tuple(int(part) for part in services["nginx"]["image"].split(":")[1].split("."))
        assert version >= (1, 27, 3)
        assert services["nginx"]["depends_on"] == {"web": {"condition": "service_started"}}

    def test_body_limit_matches_the_replicas(self, nginx: str) -> None:
        limit = re.search(r"client_max_body_size (\d+)m;", nginx)
        assert (
            limit
            and int(limit.group(1)) * 1024 * 1024 == Settings.model_fields["max_request_body_bytes"].default
        )

    def test_every_event_stream_route_is_unbuffered(self, nginx: str, app: FastAPI) -> None:
        location = re.search(r"location ~ (\S+) \{(.*?)\n    \}", nginx, re.S)
        assert location, "no regex location for the event streams"
        pattern, block = re.compile(location.group(1)), location.group(2)
        streams = [
            re.sub(r"\{[^}]+\}", "0b1e0000-0000-4000-8000-000000000000", path)
            for path, operations in app.openapi()["paths"].items()
            for operation in operations.values()
            if "text/event-stream" in operation.get("responses", {}).get("200", {}).get("content", {})
        ]
        assert len(streams) >= 2
        for path in streams:
            assert pattern.match(path), f"{path} streams events but nginx would buffer it"
        for directive in ("proxy_buffering off;", "proxy_pass_header X-Accel-Buffering;", "gzip off;"):
            assert directive in block
        read_timeout = re.search(r"proxy_read_timeout (\d+)m;", block)
        turn_timeout = Settings.model_fields["agent_turn_timeout_seconds"].default
        assert read_timeout and int(read_timeout.group(1)) * 60 > turn_timeout
        # Keep-alive connections to the replicas: HTTP/1.1 and no `Connection: close` passed on.
        assert "proxy_http_version 1.1;" in nginx and 'proxy_set_header Connection "";' in nginx
