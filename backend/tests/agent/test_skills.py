"""Installing skills into a session folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigc.agent.skills import SkillInstallError, install_skills, skills_dir

SKILL_MD = "---\nname: poster\ndescription: Makes posters.\n---\nSteps.\n"


def test_install_writes_files_and_replaces_old_ones(tmp_path: Path) -> None:
    install_skills(tmp_path, [("poster", {"SKILL.md": SKILL_MD, "templates/a.txt": "A", "old.txt": "old"})])
    names = install_skills(
        tmp_path, [("poster", {"SKILL.md": SKILL_MD, "templates/a.txt": "B", "logo.png": b"\x89PNG"})]
    )
    folder = skills_dir(tmp_path) / "poster"
    assert names == ["poster"]
    assert (folder / "templates" / "a.txt").read_text() == "B"
    assert (folder / "logo.png").read_bytes() == b"\x89PNG"
    assert not (folder / "old.txt").exists()


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("../evil", {"SKILL.md": SKILL_MD}),
        ("poster", {"README.md": "no skill file"}),
        ("poster", {"SKILL.md": SKILL_MD, "../settings.json": "{}"}),
        ("poster", {"SKILL.md": SKILL_MD, "/etc/x": "x"}),
    ],
)
def test_install_refuses_unsafe_input(tmp_path: Path, name: str, files: dict[str, str]) -> None:
    with pytest.raises(SkillInstallError):
        install_skills(tmp_path, [(name, files)])
    assert not (tmp_path / ".claude" / "settings.json").exists()
