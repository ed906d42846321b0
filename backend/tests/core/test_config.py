"""Settings: one readable line for a bad value, paths anchored at the repo root, the JWT secret rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigc.core.config import BASE_DIR, ConfigError, load_settings


def test_relative_paths_resolve_against_repo_root_from_any_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        work_dir=Path("work_dir"), log_dir=Path("logs"), data_dir=Path("data"), database_url=""
    )
    assert settings.work_dir == BASE_DIR / "work_dir"
    assert settings.log_dir == BASE_DIR / "logs"
    assert settings.database_url == f"sqlite+aiosqlite:///{BASE_DIR / 'data' / 'sessions.db'}"


def test_relative_sqlite_url_is_anchored_too() -> None:
    settings = load_settings(database_url="sqlite+aiosqlite:///data/other.db")
    assert settings.database_url == f"sqlite+aiosqlite:///{BASE_DIR / 'data' / 'other.db'}"


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("PORT", "abc", "Invalid setting PORT: Input should be a valid integer"),
        ("PORT", "70000", "Invalid setting PORT: Input should be less than or equal to 65535"),
        ("DEBUG", "maybe", "Invalid setting DEBUG"),
        ("REGISTRATION_MODE", "everyone", "Invalid setting REGISTRATION_MODE"),
        ("DATABASE_URL", "mysql://x/y", "Invalid setting DATABASE_URL"),
    ],
)
def test_bad_value_names_the_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [("", "is not set"), ("change-me", "is a known placeholder"), ("short-secret", "shorter than 32")],
)
def test_weak_jwt_secret_stops_production_start(
    monkeypatch: pytest.MonkeyPatch, secret: str, problem: str
) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", secret)
    monkeypatch.setenv("DEBUG", "false")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("JWT_SECRET_KEY") and problem in str(caught.value)


def test_debug_server_gets_a_throwaway_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", "")
    monkeypatch.setenv("DEBUG", "true")
    first, second = load_settings(), load_settings()
    assert len(first.jwt_secret()) >= 32 and first.jwt_secret() != second.jwt_secret()


def test_cors_origins_accept_comma_list_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert load_settings().cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.setenv("CORS_ORIGINS", '["https://c.example"]')
    assert load_settings().cors_origins == ["https://c.example"]


def test_model_aliases_and_demo_mode() -> None:
    settings = load_settings(default_model="haiku")
    assert settings.resolve_model(None) == settings.model_aliases["haiku"]
    assert settings.resolve_model("claude-custom-1") == "claude-custom-1"
    assert settings.demo_model_enabled is True
    assert load_settings(anthropic_api_key="sk-ant-real").demo_model_enabled is False


def test_env_example_documents_every_setting() -> None:
    from aigc.core.config import Settings

    documented = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"{name.upper()}=" not in documented]
    assert missing == []


def test_env_example_works_as_a_dotenv_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from aigc.core.config import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings(_env_file=BASE_DIR / ".env.example", debug=True)  # type: ignore[call-arg]
    assert settings.retention_archive_after_days is None and settings.anthropic_api_key is None
    assert settings.port == 8000 and settings.demo_model_enabled


def test_retention_days_must_be_ordered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_ARCHIVE_AFTER_DAYS", "30")
    monkeypatch.setenv("RETENTION_DELETE_AFTER_DAYS", "10")
    with pytest.raises(ConfigError, match="RETENTION_DELETE_AFTER_DAYS must be larger"):
        load_settings()
