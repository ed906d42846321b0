"""Static checks of the Docker deployment (no engine needed): the files agree with the code and the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePosixPath

import httpx
import pytest
import typer.main
import yaml

from aigc.cli import app as cli_app
from aigc.core.config import BASE_DIR as REPO_ROOT
from aigc.core.config import Settings, load_settings
from aigc.ops import default_backup_dir
from tests.deploy.dockerfile import DockerIgnore, Stage, copy_parts, parse_dockerfile

DEPLOY = REPO_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
# Variables read by the images next to ours, not by the platform.
IMAGE_VARIABLES = {"postgres": re.compile(r"^POSTGRES_"), "minio": re.compile(r"^MINIO_ROOT_")}
# Build and interpreter knobs the Dockerfile sets for tools, not for the platform.
TOOL_VARIABLE = re.compile(r"^(PYTHON|PIP_|PLAYWRIGHT_)")


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE)


@pytest.fixture(scope="module")
def runtime(stages: list[Stage]) -> Stage:
    return stages[-1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerignore() -> DockerIgnore:
    return DockerIgnore(REPO_ROOT / ".dockerignore")


def _env_example_names() -> set[str]:
    """Names set or shown commented out in deploy/.env.example."""
    text = (DEPLOY / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def _aigc_invocations(text: str) -> list[list[str]]:
    return [match.split() for match in re.findall(r"\baigc((?:\s+[a-z][a-z-]*)+)", text)]


def _health_paths(text: str) -> list[str]:
    return re.findall(r"http://127\.0\.0\.1:[^/'\"]+(/[\w/.-]+)", text)


class TestDockerfile:
    def test_two_stages_build_the_spa_then_the_runtime(self, stages: list[Stage]) -> None:
        assert [stage.image.split(":")[0] for stage in stages] == ["node", "python"]
        build = stages[0]
        assert any("npm ci" in run.args for run in build.all("RUN"))
        assert any("npm run build" in run.args for run in build.all("RUN"))

    def test_base_images_satisfy_the_declared_versions(self, stages: list[Stage]) -> None:
        pyproject = tomllib.loads((REPO_ROOT / "backend" / "pyproject.toml").read_text())
        minimum_python = pyproject["project"]["requires-python"].removeprefix(">=")
        python_tag = stages[-1].image.split(":")[1]
        assert tuple(map(int, python_tag.split("-")[0].split("."))) >= tuple(
            map(int, minimum_python.split("."))
        )
        package = (REPO_ROOT / "frontend" / "aigc-frontend" / "package.json").read_text()
        node_major = re.search(r'"node":\s*">=(\d+)', package)
        if node_major:
            assert int(stages[0].image.split(":")[1].split("-")[0]) >= int(node_major.group(1))

    def test_copy_sources_exist_and_reach_the_build(
        self, stages: list[Stage], dockerignore: DockerIgnore
    ) -> None:
        vite = (REPO_ROOT / "frontend" / "aigc-frontend" / "vite.config.ts").read_text()
        out_dir = re.search(r"outDir:\s*'([^']+)'", vite)
        assert out_dir, "vite.config.ts should name its outDir"
        for index, stage in enumerate(stages):
            for copy in stage.all("COPY"):
                flags, sources, _ = copy_parts(copy)
                if "from" in flags:
                    earlier = {s.name: s for s in stages[:index] if s.name}
                    assert flags["from"] in earlier, f"COPY --from={flags['from']} names no earlier stage"
                    expected = str(PurePosixPath(earlier[flags["from"]].workdir) / out_dir.group(1))
                    assert sources == [expected], "the SPA is copied from where vite writes it"
                    continue
                for source in sources:
                    assert (REPO_ROOT / source).exists(), f"COPY source {source} is not in the repository"
                    assert not dockerignore.ignores(source), (
                        f"COPY source {source} is excluded by .dockerignore"
                    )

    def test_files_the_install_needs_are_in_the_context(self, dockerignore: DockerIgnore) -> None:
        for needed in (
            "backend/README.md",  # pyproject.toml's readme
            "backend/pyproject.toml",
            "backend/aigc/alembic.ini",
            "backend/aigc/migrations/env.py",
            "backend/aigc/__init__.py",
            "frontend/aigc-frontend/package-lock.json",
            "frontend/aigc-frontend/src",
        ):
            assert (REPO_ROOT / needed).exists(), needed
            assert not dockerignore.ignores(needed), f"{needed} is excluded by .dockerignore"

    def test_repository_layout_keeps_settings_paths_working(self, runtime: Stage) -> None:
        # config.py takes the repository root three folders up; the image must keep /app/backend/aigc/...
        workdir = PurePosixPath(runtime.workdir)
        backend = [
            dest
            for copy in runtime.all("COPY")
            for src, dest in [copy_parts(copy)[1:]]
            if src == ["backend/"]
        ]
        assert backend, "the backend folder is copied into the image"
        config_py = workdir / backend[0] / "aigc" / "core" / "config.py"
        assert config_py.parents[3] == workdir
        assert any("pip install -e ./backend" in run.args for run in runtime.all("RUN")), (
            "an editable install keeps config.py and alembic.ini under /app/backend"
        )

    def test_runtime_is_non_root_with_the_sandbox_tools(self, runtime: Stage) -> None:
        user = runtime.all("USER")[-1].args.split(":")[0]
        assert user not in ("root", "0")
        installs = " ".join(run.args for run in runtime.all("RUN") if "apt-get install" in run.args)
        for package in ("bubblewrap", "socat", "ca-certificates", "postgresql-client"):
            assert package in installs.split(), package
        assert "nodejs" not in installs

    def test_environment_names_are_settings(self, stages: list[Stage], runtime: Stage) -> None:
        for stage in stages:
            for name in stage.env():
                assert name in SETTINGS_NAMES or TOOL_VARIABLE.match(name), f"ENV {name} is not a setting"
        assert runtime.env()["HOST"] == "0.0.0.0"
        command = runtime.all("CMD")[-1].args
        for name in re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", command):
            assert name in SETTINGS_NAMES, f"CMD reads ${name}, which is not a setting"

    def test_ports_and_state_folders_match_the_settings(self, runtime: Stage) -> None:
        port = Settings.model_fields["port"].default
        assert runtime.all("EXPOSE")[-1].args == str(port)
        env = runtime.env()
        assert env["PORT"] == str(port)
        for field in ("data_dir", "work_dir", "log_dir"):
            default = Settings.model_fields[field].default
            assert env[field.upper()] == f"{runtime.workdir}/{default}"
        mkdir = " ".join(run.args for run in runtime.all("RUN") if "mkdir" in run.args)
        for folder in ("data", "work_dir", "logs", "backups"):
            assert f"/app/{folder}" in mkdir

    def test_commands_are_real_aigc_subcommands(self, runtime: Stage) -> None:
        text = runtime.all("CMD")[-1].args + runtime.all("HEALTHCHECK")[-1].args
        invocations = _aigc_invocations(text)
        assert ["db", "upgrade"] in [words[:2] for words in invocations] and ["serve"] in invocations
        _assert_real_commands(invocations)

    async def test_healthcheck_asks_the_health_endpoint(
        self, runtime: Stage, client: httpx.AsyncClient
    ) -> None:
        check = runtime.all("HEALTHCHECK")[-1].args
        assert check.split()[0].startswith("--") and '"python"' in check and "urllib" in check
        await _assert_healthy(client, _health_paths(check))


class TestCompose:
    def test_services_and_profiles(self, compose: dict) -> None:
        services = compose["services"]
        assert "profiles" not in services["aigc"]
        assert services["postgres"]["profiles"] == ["postgres"]
        assert services["minio"]["profiles"] == ["minio"]
        assert services["postgres"]["image"].startswith("postgres:")
        assert services["minio"]["image"].startswith("minio/minio")
        assert (
            "server" in services["minio"]["command"] and "--console-address" in services["minio"]["command"]
        )

    def test_build_points_at_the_dockerfile(self, compose: dict) -> None:
        build = compose["services"]["aigc"]["build"]
        context = (DEPLOY / build["context"]).resolve()
        assert context == REPO_ROOT and (context / build["dockerfile"]).resolve() == DOCKERFILE
        assert compose["services"]["aigc"]["env_file"] == ".env"

    def test_ports_and_volumes_match_the_settings(self, compose: dict) -> None:
        service = compose["services"]["aigc"]
        port = Settings.model_fields["port"].default
        assert [str(mapping).rsplit(":", 1)[-1] for mapping in service["ports"]] == [str(port)]
        targets = {volume.split(":")[1] for volume in service["volumes"]}
        image_settings = load_settings(data_dir="/app/data", work_dir="/app/work_dir", log_dir="/app/logs")
        expected = {
            *(
                f"/app/{Settings.model_fields[field].default}"
                for field in ("data_dir", "work_dir", "log_dir")
            ),
            str(default_backup_dir(image_settings)),
        }
        assert targets == expected
        named = {
            volume.split(":")[0] for svc in compose["services"].values() for volume in svc.get("volumes", [])
        }
        assert named <= set(compose["volumes"])

    def test_environment_names_are_settings_or_image_variables(self, compose: dict) -> None:
        for service_name, service in compose["services"].items():
            allowed = IMAGE_VARIABLES.get(service_name)
            for name in service.get("environment", {}) or {}:
                assert name in SETTINGS_NAMES or (allowed and allowed.match(name)), f"{service_name}: {name}"
        text = (DEPLOY / "docker-compose.yml").read_text()
        image_pattern = re.compile("|".join(pattern.pattern for pattern in IMAGE_VARIABLES.values()))
        for name in re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text):
            assert name in SETTINGS_NAMES or image_pattern.match(name), f"compose interpolates unknown {name}"
            assert name in _env_example_names(), f"{name} is used by compose but not listed in .env.example"

    def test_env_example_names_are_settings_or_image_variables(self) -> None:
        image_pattern = re.compile("|".join(pattern.pattern for pattern in IMAGE_VARIABLES.values()))
        names = _env_example_names()
        assert "JWT_SECRET_KEY" in names
        for name in names:
            assert name in SETTINGS_NAMES or image_pattern.match(name), f".env.example sets unknown {name}"
        # The image fixes these; an env file copied from a laptop must not move or hide the server.
        assert not names & {"HOST", "PORT", "DATA_DIR", "WORK_DIR", "LOG_DIR"}

    async def test_healthcheck_is_a_real_command_and_path(
        self, compose: dict, client: httpx.AsyncClient
    ) -> None:
        test = " ".join(compose["services"]["aigc"]["healthcheck"]["test"])
        _assert_real_commands(_aigc_invocations(test))
        await _assert_healthy(client, _health_paths(test))


class TestDockerignore:
    @pytest.mark.parametrize(
        "path",
        [
            ".env",
            "deploy/.env",
            "frontend/aigc-frontend/node_modules/react/index.js",
            "backend/.venv/bin/python",
            "data/sessions.db",
            "logs/backend.log",
            "work_dir/session-1/out.txt",
            "backups/aigc-backup-20250101-000000.tar.gz",
            ".git/HEAD",
        ],
    )
    def test_state_secrets_and_local_installs_stay_out(self, dockerignore: DockerIgnore, path: str) -> None:
        assert dockerignore.ignores(path)


def _assert_real_commands(invocations: list[list[str]]) -> None:
    group = typer.main.get_command(cli_app)
    for words in invocations:
        command = group.commands.get(words[0])  # type: ignore[attr-defined]
        assert command is not None, f"`aigc {words[0]}` is not a command"
        if hasattr(command, "commands"):
            assert words[1] in command.commands, f"`aigc {' '.join(words[:2])}` is not a command"


async def _assert_healthy(client: httpx.AsyncClient, paths: list[str]) -> None:
    """urllib fails on anything but 2xx, so the path must answer 200 on a healthy app."""
    assert paths, "no health URL found"
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
