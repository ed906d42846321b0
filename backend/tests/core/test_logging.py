"""Logs: a request id on each line of a request, secrets never written, JSON lines, rotation."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx

from aigc.core.config import get_settings, load_settings
from aigc.core.logging import LOG_FILE_NAME, RedactingFilter, configure_logging
from tests.conftest import TEST_JWT_SECRET
from tests.factories import DEFAULT_PASSWORD, create_user


def _log_text() -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return (get_settings().log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")


async def test_every_line_of_a_request_carries_its_id(client: httpx.AsyncClient) -> None:
    await create_user(username="loggy")
    await client.post(
        "/api/v1/auth/login",
        data={"username": "loggy", "password": "wrong-password"},
        headers={"X-Request-ID": "req-fail-7"},
    )
    lines = [line for line in _log_text().splitlines() if "req-fail-7" in line]
    assert any("Failed sign-in" in line for line in lines)
    assert any("POST /api/v1/auth/login 401" in line for line in lines)


async def test_passwords_and_tokens_never_reach_the_log(client: httpx.AsyncClient) -> None:
    user = await create_user(username="secretive")
    login = await client.post(
        "/api/v1/auth/login", data={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    tokens = login.json()
    await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    logging.getLogger("aigc.test").info(
        "debug dump password=%s header=Bearer %s key=sk-ant-api03-abcdef",
        DEFAULT_PASSWORD,
        tokens["access_token"],
    )
    text = _log_text()
    for secret in (
        DEFAULT_PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        TEST_JWT_SECRET,
        "sk-ant-api03",
    ):
        assert secret not in text
    assert "debug dump password=***" in text


def test_redactor_masks_known_secret_values_anywhere() -> None:
    redactor = RedactingFilter(["my-configured-minio-secret"])
    assert redactor.redact("url=http://x?k=my-configured-minio-secret&y=1") == "url=http://x?k=***&y=1"
    assert "eyJ" not in redactor.redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc")


def test_json_lines_and_rotation(tmp_path: Path) -> None:
    settings = load_settings(log_dir=tmp_path, log_json=True, log_max_bytes=2048, log_backup_count=2)
    try:
        configure_logging(settings, to_console=False)
        logger = logging.getLogger("aigc.test.json")
        logger.warning("api_key=%s", "abc123secretvalue")
        first = json.loads((tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8").splitlines()[0])
        assert first["level"] == "WARNING" and first["request_id"] == "-"
        assert first["message"] == "api_key=***"
        for i in range(200):
            logger.warning("filler line %d %s", i, "x" * 40)
        files = sorted(p.name for p in tmp_path.iterdir())
        assert files == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    finally:
        configure_logging(get_settings())
