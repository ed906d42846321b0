"""The `aigc` command: serve, database migrations, admin accounts and operational checks."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from aigc import __version__
from aigc.core.config import ConfigError, Settings, get_settings

app = typer.Typer(help="AIGC scenario platform", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema migrations", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings() -> Settings:
    """Settings or a one-line error and exit code 2."""
    try:
        return get_settings()
    except ConfigError as exc:
        typer.secho(f"Configuration error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def _log_to_file(settings: Settings) -> None:
    """Maintenance commands leave their trail in logs/backend.log like the server does."""
    from aigc.core.logging import configure_logging

    configure_logging(settings, to_console=False)


def _port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def version() -> None:
    """Print the platform version."""
    typer.echo(__version__)


def _require_current_schema(settings: Settings) -> None:
    """Stop with one line when the database is unreachable or its schema is not the code's."""
    from aigc.core.db import build_engine
    from aigc.core.migrations import SchemaOutOfDateError, ensure_schema_current

    async def _check() -> None:
        engine = build_engine(settings)
        try:
            await ensure_schema_current(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(_check())
    except SchemaOutOfDateError as exc:
        _fail(str(exc))
    except Exception as exc:  # unreachable database, bad URL: say so in one line
        _fail(f"Cannot reach the database ({type(exc).__name__}: {exc})")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Defaults to HOST")] = None,
    port: Annotated[int | None, typer.Option(help="Defaults to PORT")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
) -> None:
    """Run the API server (the schema must be current: see `aigc db upgrade`)."""
    import uvicorn

    settings = _settings()
    _require_current_schema(settings)
    bind_host, bind_port = host or settings.host, port or settings.port
    # Before start-up runs: a second server on a busy port must not start jobs and then fail.
    if not reload and _port_in_use(bind_host, bind_port):
        _fail(
            f"Port {bind_port} on {bind_host} is already in use: stop what uses it or choose another --port/PORT"
        )
    uvicorn.run(
        "aigc.main:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        reload=reload,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Turns run at once (defaults to AGENT_MAX_CONCURRENT_RUNS)")
    ] = None,
) -> None:
    """Run agent turns handed out by the web replicas (needs BROKER_URL and REDIS_URL)."""
    settings = _settings()
    if not settings.scale_out:
        _fail("`aigc worker` needs BROKER_URL and REDIS_URL; without them `aigc serve` runs the turns itself")
    _require_current_schema(settings)
    from aigc.core.logging import configure_logging
    from aigc.worker.main import run_worker

    configure_logging(settings)
    run_worker(settings, concurrency)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from aigc.core.migrations import upgrade_database

    _settings()
    typer.echo(f"Database schema is at revision {upgrade_database(revision)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. 0001 or -1 or base")],
) -> None:
    """Revert migrations down to REVISION."""
    from aigc.core.migrations import downgrade_database

    _settings()
    typer.echo(f"Database schema is at revision {downgrade_database(revision)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the code's."""
    from aigc.core.migrations import current_revision_sync, head_revision

    _settings()
    current, head = current_revision_sync(), head_revision()
    state = "up to date" if current == head else "behind: run `aigc db upgrade`"
    typer.echo(f"database: {current or 'empty'}  code: {head}  ({state})")


@db_app.command("history")
def db_history() -> None:
    """List the numbered migrations."""
    from alembic.script import ScriptDirectory

    from aigc.core.migrations import alembic_config

    for rev in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())):
        typer.echo(f"{rev.revision}  {rev.doc}")


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Account to create or promote")] = "admin",
    password: Annotated[
        str | None, typer.Option(envvar="AIGC_ADMIN_PASSWORD", help="Password (prompted when omitted)")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Email for a new account")] = None,
    generate: Annotated[bool, typer.Option(help="Generate a password and print it once")] = False,
) -> None:
    """Create an administrator, or promote an existing account (and reset its password if one is given)."""
    from aigc.core.db import dispose_engine, session_scope
    from aigc.core.errors import AppError
    from aigc.users import repository, service

    settings = _settings()
    if generate and not password:
        password = secrets.token_urlsafe(12)

    async def _run(pw: str | None) -> tuple[bool, bool]:
        try:
            async with session_scope() as session:
                exists = await repository.get_by_username(session, username) is not None
                if not exists and not pw:
                    return False, False
                _, created = await service.ensure_admin(session, settings, username, pw, email)
                return True, created
        finally:
            await dispose_engine()

    try:
        done, created = asyncio.run(_run(password))
        if not done:
            password = typer.prompt("Password for the new admin", hide_input=True, confirmation_prompt=True)
            done, created = asyncio.run(_run(password))
    except AppError as exc:
        _fail(f"Cannot create the admin: {exc.message}")
    except Exception as exc:
        _fail(f"Cannot create the admin ({type(exc).__name__}): is the database migrated? {exc}")
    typer.echo(f"{'Created' if created else 'Promoted'} administrator '{username.lower()}'")
    if generate and created:
        typer.echo(f"Generated password (shown once): {password}")


@app.command()
def health(url: Annotated[str | None, typer.Option(help="Base URL of a running server")] = None) -> None:
    """Ask a running server for its health; exit 1 when it is unhealthy or unreachable."""
    import httpx

    settings = _settings()
    base = url or f"http://{settings.host}:{settings.port}"
    try:
        response = httpx.get(f"{base.rstrip('/')}/api/v1/health", timeout=5)
    except httpx.HTTPError as exc:
        _fail(f"No server answering at {base} ({type(exc).__name__})")
        return
    typer.echo(json.dumps(response.json(), indent=2))
    if response.status_code != 200:
        raise typer.Exit(1)


@app.command()
def config() -> None:
    """Print the effective settings, secrets masked."""
    settings = _settings()
    secret_fields = {
        name for name, field in Settings.model_fields.items() if "SecretStr" in str(field.annotation)
    }
    for name, value in settings.model_dump().items():
        shown = "(not set)" if name in secret_fields and value is None else _masked(name, value)
        typer.echo(f"{name.upper()}={shown}")


def _masked(name: str, value: Any) -> str:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return "******" if value.get_secret_value() else "(not set)"
    if name == "database_url" and "@" in str(value):
        # postgresql+asyncpg://user:password@host/db: hide the password part only.
        head, tail = str(value).split("@", 1)
        if ":" in head.split("//", 1)[-1]:
            scheme, creds = head.split("//", 1)
            return f"{scheme}//{creds.split(':', 1)[0]}:******@{tail}"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return "" if value is None else str(value)


@app.command("mock-model")
def mock_model(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Defaults to DEMO_MODEL_PORT")] = None,
    script: Annotated[Path | None, typer.Option(help="JSON rules replacing the demo script")] = None,
) -> None:
    """Run the scripted Anthropic-compatible model (offline demo and tests)."""
    from aigc.mock_model import serve as serve_mock_model

    if script is not None and not script.is_file():
        _fail(f"No script file at {script}")
    serve_mock_model(host, port or _settings().demo_model_port, str(script) if script else None)


@app.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None,
) -> None:
    """Export the OpenAPI document (the frontend generates its typed client from it)."""
    from aigc.main import create_app

    document = create_app(_settings(), configure_logs=False).openapi()
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}")
    else:
        sys.stdout.write(text)


@app.command()
def retention(
    apply: Annotated[
        bool, typer.Option("--apply", help="Carry it out (without it: a dry run that only lists)")
    ] = False,
) -> None:
    """Archive sessions untouched for RETENTION_ARCHIVE_AFTER_DAYS, delete after RETENTION_DELETE_AFTER_DAYS."""
    from aigc.core.db import dispose_engine
    from aigc.ops import server_is_running
    from aigc.sessions import retention as retention_policy
    from aigc.storage import create_storage

    settings = _settings()
    _log_to_file(settings)
    if not (settings.retention_archive_after_days or settings.retention_delete_after_days):
        typer.echo("Retention is off: set RETENTION_ARCHIVE_AFTER_DAYS and/or RETENTION_DELETE_AFTER_DAYS")
        return

    async def _run() -> None:
        try:
            actions = await retention_policy.plan(settings)
            for action in actions:
                typer.echo(
                    f"{action.action:8} {action.session_id}  last active {action.updated_at:%Y-%m-%d}  {action.title}"
                )
            if not actions:
                typer.echo("Nothing to do")
            elif apply and server_is_running(settings):
                _fail(
                    "The server is running: its daily retention job applies the policy, or stop it first", 2
                )
            elif apply:
                result = await retention_policy.apply(actions, settings, create_storage(settings))
                typer.echo(
                    f"Archived {result['archived']}, deleted {result['deleted']}, failed {result['failed']}"
                )
            else:
                typer.echo(f"Dry run: {len(actions)} sessions would change; run with --apply to do it")
        finally:
            await dispose_engine()

    asyncio.run(_run())


@app.command()
def backup(
    out: Annotated[
        Path | None, typer.Option(help="Folder for the archive (default: backups/ beside DATA_DIR)")
    ] = None,
    keep_last: Annotated[
        int | None, typer.Option(min=1, help="Then delete all but the newest N archives there")
    ] = None,
) -> None:
    """Write a consistent backup archive of the database and files (safe while the server runs)."""
    from aigc.ops import BackupError, create_backup

    settings = _settings()
    _log_to_file(settings)
    try:
        archive = asyncio.run(create_backup(settings, out, keep_last))
    except BackupError as exc:
        _fail(f"Backup failed: {exc}")
        return
    except Exception as exc:  # unreachable database, full disk: one line, not a traceback
        _fail(f"Backup failed ({type(exc).__name__}: {exc})")
        return
    typer.echo(f"Backup written to {archive}")


@app.command()
def restore(
    archive: Annotated[
        Path, typer.Argument(help="An aigc-backup-*.tar.gz archive", exists=True, dir_okay=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the database and files with a backup's (stop the server first); the old data is kept aside."""
    from aigc.ops import RestoreFailedError, RestoreRefusedError, restore_backup, server_is_running

    settings = _settings()
    _log_to_file(settings)
    if server_is_running(settings):
        _fail(f"The server is running on {settings.data_dir}: stop it, then restore", 2)
    if not yes:
        typer.confirm(
            f"Replace the database and the files in {settings.data_dir} and {settings.work_dir} "
            f"with {archive.name}? (the current ones are kept aside)",
            abort=True,
        )
    try:
        report = asyncio.run(restore_backup(settings, archive))
    except RestoreRefusedError as exc:
        _fail(f"Restore refused, nothing was changed: {exc}", 2)
        return
    except RestoreFailedError as exc:
        _fail(f"Restore failed: {exc}")
        return
    except Exception as exc:
        _fail(f"Restore failed ({type(exc).__name__}: {exc})")
        return
    typer.echo(f"Restored {archive.name} (schema revision {report.schema_revision or 'none'})")
    for kept in report.set_aside:
        typer.echo(f"  previous data kept at {kept}")
    if report.needs_upgrade:
        typer.echo("The backup's schema is older than this code: run `aigc db upgrade` before `aigc serve`.")


if __name__ == "__main__":
    app()
