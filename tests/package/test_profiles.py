"""Region profiles by name, one function per program (`load_profile`), read from the one installed copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_plugin import profiles as plugin_profiles
from pos_plugin.errors import InputError
from pos_plugin.lab import demo
from simulator.platform import profiles as sim_profiles
from simulator.platform.errors import PlatformError

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(p.stem for p in (ROOT / "fixtures" / "policies").glob("*.json"))


def test_the_editable_install_reads_the_one_copy_in_the_top_level_fixtures_folder():
    assert plugin_profiles.installed_fixtures().resolve() == (ROOT / "fixtures").resolve()
    assert sim_profiles.installed_fixtures().resolve() == (ROOT / "fixtures").resolve()
    assert "national-default" in NAMES
    assert plugin_profiles.profile_names() == sim_profiles.profile_names() == NAMES
    assert [p.name for p in plugin_profiles.worked_scenarios()] == sorted(
        p.name for p in (ROOT / "fixtures" / "scenarios").glob("*.json"))


@pytest.mark.parametrize("name", NAMES)
def test_both_programs_load_every_profile_by_name(name: str):
    assert plugin_profiles.load_profile(name) == sim_profiles.load_profile(name)
    assert sim_profiles.load_profile(name)["name"] == name


@pytest.mark.parametrize("name", ["atlantis", "../policies/shaanxi", "", "shaanxi.json"])
def test_an_unknown_name_is_refused_listing_the_known_ones(name: str):
    with pytest.raises(PlatformError) as refused:
        sim_profiles.load_profile(name)
    assert refused.value.code == "ERR_POLICY_UNKNOWN" and "national-default" in refused.value.message
    with pytest.raises(InputError) as wrong:
        plugin_profiles.load_profile(name)
    assert wrong.value.code == "ERR_INPUT" and "national-default" in wrong.value.message


@pytest.mark.parametrize(("text", "why"), [("{", "无法读取"), ("[1, 2]", "必须是 JSON 对象")])
def test_a_broken_profile_in_a_testers_folder_is_err_bad_policy(tmp_path: Path, text: str, why: str):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "mine.json").write_text(text, encoding="utf-8")
    with pytest.raises(PlatformError) as refused:
        sim_profiles.load_profile("mine", tmp_path)
    assert refused.value.code == "ERR_BAD_POLICY" and why in refused.value.message


def test_the_demo_refuses_an_empty_scenario_folder(tmp_path: Path):
    with pytest.raises(InputError, match="没有找到示例场景文件"):
        demo.run(lambda text: None, tmp_path)
