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
TOOL_VARIABLE = re.compile(r"^(PATH$|PYTHON|PIP_|PLAYWRIGHT_)")
# Read by aigc.core.config before the settings exist (where `.env` is and what relative paths mean).
PLATFORM_VARIABLES = {"AIGC_HOME"}


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
    def test_stages_build_the_spa_and_the_wheel_then_the_runtime(self, stages: list[Stage]) -> None:
        assert [(stage.name, stage.image.split(":")[0]) for stage in stages] == [
            ("frontend", "node"),
            ("wheel", "python"),
            ("runtime", "python"),
        ]
        build = stages[0]
        assert any("npm ci" in run.args for run in build.all("RUN"))
        assert any("npm run build" in run.args for run in build.all("RUN"))

    def test_base_images_are_build_arguments(self, stages: list[Stage]) -> None:
        # scripts/test-image.sh replaces them with Debian images it builds, since no registry is reachable.
        assert [stage.base_arg for stage in stages] == ["NODE_IMAGE", "PYTHON_IMAGE", "PYTHON_IMAGE"]
        script = (REPO_ROOT / "scripts" / "test-image.sh").read_text()
        for argument in ("NODE_IMAGE", "PYTHON_IMAGE"):
            assert f'--build-arg "{argument}=' in script
        # A plain Debian base has neither Node nor Python: each stage installs Debian's when missing.
        assert "apt-get install" in stages[0].all("RUN")[0].args and "nodejs" in stages[0].all("RUN")[0].args
        for stage in stages[1:]:
            assert any("python3-venv" in run.args for run in stage.all("RUN")), stage.name

    def test_network_steps_take_the_ca_secret(self, stages: list[Stage]) -> None:
        """pip and npm verify TLS with a CA bundle passed as the `ca` secret (a company proxy's, or CI's)."""
        runs = [run.args for stage in stages for run in stage.all("RUN")]
        network = [run for run in runs if re.search(r"npm ci|pip install (?!--no-deps --no-index)", run)]
        assert len(network) == 3  # npm ci, the build tools, the locked dependencies
        for run in network:
            assert run.startswith("--mount=type=secret,id=ca "), run[:80]
            assert "/run/secrets/ca" in run
        # Everything else stays off the network: building and installing the wheel itself.
        local = [run for run in runs if re.search(r"pip (wheel|install --no-deps --no-index)", run)]
        assert len(local) == 2 and all("--no-index" in run for run in local)
        assert '--secret "id=ca,src=' in (REPO_ROOT / "scripts" / "test-image.sh").read_text()

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
                    if flags["from"] == "frontend":
                        expected = str(PurePosixPath(earlier["frontend"].workdir) / out_dir.group(1))
                        assert sources == [expected], "the SPA is copied from where vite writes it"
                    else:
                        built = " ".join(run.args for run in earlier[flags["from"]].all("RUN"))
                        assert sources in (["/dist/requirements.txt"], ["/dist/wheel/"])
                        assert "--output-file /dist/requirements.txt" in built
                        assert "--wheel-dir /dist/wheel" in built
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
            "backend/uv.lock",
            "backend/aigc/alembic.ini",
            "backend/aigc/migrations/env.py",
            "backend/aigc/__init__.py",
            "frontend/aigc-frontend/package-lock.json",
            "frontend/aigc-frontend/src",
        ):
            assert (REPO_ROOT / needed).exists(), needed
            assert not dockerignore.ignores(needed), f"{needed} is excluded by .dockerignore"

    def test_runtime_installs_the_wheel_and_the_locked_dependencies(
        self, stages: list[Stage], runtime: Stage
    ) -> None:
        export = " ".join(run.args for run in stages[1].all("RUN"))
        assert "uv export" in export and "--frozen" in export and "--no-dev" in export
        assert "--no-emit-project" in export and "--no-hashes" not in export
        assert "pip wheel" in export and "--no-deps" in export
        installs = [run.args for run in runtime.all("RUN") if "pip install" in run.args]
        assert len(installs) == 2
        assert "pip install --no-deps --require-hashes --requirement /tmp/requirements.txt" in installs[0]
        assert "pip install --no-deps --no-index /tmp/wheel/aigc-*.whl" in installs[1]
        assert not any(" -e " in run for run in installs)
        # No source tree: the package finds its migrations inside itself, its folders through AIGC_HOME.
        assert not [copy for copy in runtime.all("COPY") if "from" not in copy_parts(copy)[0]]
        assert runtime.env()["AIGC_HOME"] == runtime.workdir
        assert runtime.env()["PATH"].startswith("/opt/aigc/bin:")

    def test_uv_version_is_the_one_that_wrote_the_lock(self, stages: list[Stage]) -> None:
        pinned = re.search(r'^UV_VERSION="([^"]+)"', (REPO_ROOT / "scripts" / "lib.sh").read_text(), re.M)
        arguments = [arg.args for arg in stages[1].all("ARG")]
        assert pinned and f"UV_VERSION={pinned.group(1)}" in arguments

    def test_runtime_is_non_root_with_the_sandbox_tools(self, runtime: Stage) -> None:
        user = runtime.all("USER")[-1].args.split(":")[0]
        assert user not in ("root", "0")
        installs = " ".join(run.args for run in runtime.all("RUN") if "apt-get install" in run.args)
        for package in ("bubblewrap", "ca-certificates", "postgresql-client"):
            assert package in installs.split(), package
        assert "nodejs" not in installs

    def test_environment_names_are_settings(self, stages: list[Stage], runtime: Stage) -> None:
        for stage in stages:
            for name in stage.env():
                known = name in SETTINGS_NAMES or name in PLATFORM_VARIABLES or TOOL_VARIABLE.match(name)
                assert known, f"ENV {name} is not a setting"
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
        spa = [
            copy_parts(copy)[2]
            for copy in runtime.all("COPY")
            if copy_parts(copy)[0].get("from") == "frontend"
        ]
        assert [str(PurePosixPath(runtime.workdir) / dest) for dest in spa] == [env["FRONTEND_DIST_DIR"]]

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

    def test_the_image_test_can_run_a_copy_of_it(self, compose: dict) -> None:
        """scripts/test-image.sh swaps the image and port, and drops the optional dependencies."""
        service = compose["services"]["aigc"]
        assert service["image"] == "aigc:latest" and service["ports"] == ["8000:8000"]
        assert all(dependency["required"] is False for dependency in service["depends_on"].values())

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
