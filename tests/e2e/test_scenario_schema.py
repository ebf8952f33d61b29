"""Scenario and world files have a schema (issue 15 item 2): shipped, printed by a command, closed (an unknown
key is refused with its JSON path, `expect.legz`), and `--show` prints what the run got in the scenario format
— which, pasted back as the expectation, passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from e2e_world import ROOT, SCENARIOS, scenario
from jsonschema import Draft202012Validator

from pos_plugin.lab.file_schema import json_path, problems, schema_text
from simulator.cli import main as simulator_main

SCHEMAS = ROOT / "fixtures" / "schemas"


def pos_plugin(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pos_plugin", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def schema(kind: str) -> dict:
    return json.loads((SCHEMAS / f"yibao-{kind}-1.schema.json").read_text(encoding="utf-8"))


def test_the_schemas_are_valid_and_every_shipped_scenario_meets_its_own():
    for kind in ("scenario", "world"):
        Draft202012Validator.check_schema(schema(kind))
    for path in sorted(SCENARIOS.glob("*.json")):
        assert problems(json.loads(path.read_text(encoding="utf-8")), "scenario") == [], path.name


def test_the_two_schemas_describe_the_world_alike():
    world, scen = schema("world")["$defs"], schema("scenario")["$defs"]
    shared = set(world) & set(scen)
    assert {"person", "binding", "pool", "wallet", "institution", "money", "agencies"} <= shared
    assert {name: world[name] for name in shared} == {name: scen[name] for name in shared}
    for top in ("people", "bindings", "pools", "wallets", "agencies", "today", "policies"):
        assert schema("world")["properties"][top] == schema("scenario")["properties"][top], top


def test_every_object_in_the_schemas_is_closed():
    def objects(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                yield where, node
            for key, value in node.items():
                yield from objects(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from objects(value, f"{where}/{index}")

    for kind in ("scenario", "world"):
        found = list(objects(schema(kind), kind))
        assert len(found) >= 8
        assert [w for w, node in found if node.get("additionalProperties") is not False] == []


def test_unknown_keys_and_bad_values_are_named_by_their_json_path():
    scen = scenario("shaanxi-retiree-two-funders")
    scen["expect"]["legz"] = scen["expect"].pop("legs")
    scen["people"][0]["acount"] = "1.00"
    scen["then"][0]["expect"]["legs"] = [{"source": "own", "amout": "1.00"}]
    scen["checkout"]["credential"] = "iris"
    del scen["institution"]["kind"]
    assert problems(scen, "scenario") == [
        "checkout.credential: 取值 'iris' 无效（可选：qr, id_card, ss_card）",
        "expect.legz: 未知字段（yibao-scenario/1 中没有此字段）",
        "institution.kind: 缺少必填字段",
        "people[0].acount: 未知字段（yibao-scenario/1 中没有此字段）",
        "then[0].expect.legs[0].amout: 未知字段（yibao-scenario/1 中没有此字段）",
    ]
    assert json_path([]) == "$" and json_path(["a", 0, "b"]) == "a[0].b"


def test_schema_commands_print_the_shipped_schemas(capsys: pytest.CaptureFixture[str]):
    printed = pos_plugin("scenarios", "schema")
    assert printed.returncode == 0 and printed.stdout == schema_text("scenario")
    assert json.loads(pos_plugin("scenarios", "schema", "world").stdout) == schema("world")
    simulator_main(["schema"])
    assert json.loads(capsys.readouterr().out) == schema("world")
    simulator_main(["schema", "scenario"])
    assert json.loads(capsys.readouterr().out) == schema("scenario")


def test_a_misspelt_expectation_is_an_error_not_a_pass(tmp_path: Path, sim_url: str):
    scen = scenario("own-account-covers-everything")
    scen["expect"]["legz"] = [{"source": "wallet", "amount": "999.00"}]  # before: ignored, and the run PASSed
    (tmp_path / "legz.json").write_text(json.dumps(scen, ensure_ascii=False), encoding="utf-8")
    result = pos_plugin("scenarios", "run", "legz.json", "--platform", sim_url, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    first, summary = result.stdout.strip().splitlines()
    assert first.startswith("ERROR legz.json: ERR_SCENARIO: ") and "expect.legz: 未知字段" in first, first
    assert summary == "0 passed, 0 failed, 1 errors"


def test_the_simulator_refuses_a_world_file_with_an_unknown_key(sim_url: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]):
    scen = scenario("own-account-covers-everything")
    scen["people"][0]["acount"] = "1.00"
    reply = requests.post(f"{sim_url}/admin/world", json=scen, timeout=30)
    assert reply.status_code == 400 and reply.json()["code"] == "ERR_BAD_WORLD"
    assert "people[0].acount: 未知字段" in reply.json()["message"]
    world = {"format": "yibao-world/1", "institutions": [{"code": "P61010300017", "name": "x", "kind": "pharmacy",
                                                          "admdvs": "610103", "walet_enabled": True}]}
    reply = requests.post(f"{sim_url}/admin/world", json=world, timeout=30)
    assert reply.status_code == 400 and "institutions[0].walet_enabled: 未知字段" in reply.json()["message"]
    assert requests.get(f"{sim_url}/admin/handles", timeout=30).json()["handles"] == {}  # nothing loaded
    (tmp_path / "w.json").write_text(json.dumps(world), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        simulator_main(["serve", "--port", "0", "--db", f"sqlite:///{tmp_path / 's.sqlite'}",
                        "--load", str(tmp_path / "w.json")])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ERR_BAD_WORLD: ") and "walet_enabled" in err[0], err


def test_show_prints_what_the_run_got_and_pasted_back_it_passes(tmp_path: Path, sim_url: str):
    scen = scenario("shaanxi-retiree-two-funders")
    asked = scen.pop("expect")
    for step in scen["then"]:
        step.pop("expect")
    (tmp_path / "blank.json").write_text(json.dumps(scen, ensure_ascii=False), encoding="utf-8")
    shown = pos_plugin("scenarios", "run", "blank.json", "--platform", sim_url, "--json", "--show", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    got = json.loads(shown.stdout.splitlines()[0])["got"]
    assert got["expect"]["setlinfo"]["hifp_pay"] == asked["setlinfo"]["hifp_pay"]  # the worked figures
    assert [leg["amount"] for leg in got["expect"]["legs"]] == [leg["amount"] for leg in asked["legs"]]
    assert [step["action"] for step in got["then"]] == [step["action"] for step in scen["then"]]
    pasted = {**scen, **got}
    assert problems(pasted, "scenario") == []  # the scenario format, as the schema says
    (tmp_path / "pasted.json").write_text(json.dumps(pasted, ensure_ascii=False), encoding="utf-8")
    again = pos_plugin("scenarios", "run", "pasted.json", "--platform", sim_url, "--show", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert again.stdout.startswith("PASS shaanxi-retiree-two-funders\n    got")
    assert '"hifp_pay": "243.74"' in again.stdout and again.stdout.strip().endswith("1 passed, 0 failed, 0 errors")
