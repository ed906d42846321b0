"""The backend as a wheel: it carries its migrations and migrates a database from any folder, no checkout needed."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
MIGRATIONS = BACKEND / "aigc" / "migrations"


def _fresh_venv(venv: Path) -> Path:
    """A new venv whose dependencies come from the test venv (nothing is downloaded); returns its bin/."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=180)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A path listed in a .pth is appended after the venv's own site-packages, so the wheel's `aigc` wins
    # over the checkout's editable one (whose import hook lives in a .pth that this one does not run).
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _build_wheel(out: Path, bin_dir: Path) -> Path:
    """Build the wheel the Docker image installs: with uv when on PATH (its cache holds the build backend),
    else with pip (which fetches setuptools from PyPI)."""
    # From a copy: setuptools leaves build/ and *.egg-info beside the sources, and a stale build/ there
    # could slip old files into a later wheel.
    source = out / "source"
    shutil.copytree(BACKEND / "aigc", source / "aigc", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(BACKEND / name, source / name)
    uv = shutil.which("uv")
    if uv:
        command = [uv, "build", "--wheel", "--out-dir", str(out), str(source)]
    else:
        command = [str(bin_dir / "pip"), "wheel", "--no-deps", "--wheel-dir", str(out), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"building the wheel failed:\n{done.stdout}\n{done.stderr}"
    (wheel,) = out.glob("aigc-*.whl")
    return wheel


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fresh_venv(tmp_path_factory.mktemp("wheel-venv") / "venv")


@pytest.fixture(scope="module")
def wheel(bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("dist"), bin_dir)


@pytest.fixture(scope="module")
def venv_bin(wheel: Path, bin_dir: Path) -> Path:
    """The fresh venv with the wheel installed into it, from the file only."""
    done = subprocess.run(
        [bin_dir / "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", wheel],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stdout}\n{done.stderr}"
    return bin_dir


def _outside_env() -> dict[str, str]:
    """What a user's shell would hold: no setting from the test run, no pointer back to the checkout."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
    }


def test_the_wheel_carries_the_migrations_and_no_repository_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "aigc/alembic.ini",
        "aigc/migrations/env.py",
        "aigc/migrations/script.py.mako",
        "aigc/migrations/seeds/scenarios_0002.py",
        *(f"aigc/migrations/versions/{path.name}" for path in MIGRATIONS.glob("versions/[0-9]*.py")),
    }
    assert len(expected) > 4 and expected <= names, sorted(expected - names)
    assert "aigc/mock_model/default_script.json" in names
    top_level = {name.split("/")[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == {"aigc"}
    assert not any(re.search(r"(^|/)(tests|__pycache__)/", name) for name in names)


def test_the_installed_wheel_migrates_a_database_in_the_current_folder(
    venv_bin: Path, tmp_path: Path
) -> None:
    env = _outside_env()
    where = subprocess.run(
        [venv_bin / "python", "-c", "import aigc; print(aigc.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv_bin.parent)), f"the checkout's aigc was imported: {where}"

    upgrade = subprocess.run(
        [venv_bin / "aigc", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    head = sorted(path.name[:4] for path in MIGRATIONS.glob("versions/[0-9]*.py"))[-1]
    assert f"revision {head}" in upgrade.stdout
    # Outside a checkout, relative paths (DATA_DIR=data) are taken from the current folder.
    assert (tmp_path / "data" / "sessions.db").is_file()
    current = subprocess.run(
        [venv_bin / "aigc", "db", "current"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "up to date" in current.stdout, current.stdout + current.stderr


def test_aigc_home_holds_the_env_file_and_the_relative_paths(venv_bin: Path, tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("DATA_DIR=state\n")
    env = {**_outside_env(), "AIGC_HOME": str(home)}
    upgrade = subprocess.run(
        [venv_bin / "aigc", "db", "upgrade"],
        env=env,
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert (home / "state" / "sessions.db").is_file()
    assert not any(elsewhere.iterdir())
