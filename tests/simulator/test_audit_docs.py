"""docs/audit.md and the rule catalogue (simulator/audit/rules.py) say the same thing, both ways."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.audit.rules import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def documented() -> dict[str, str]:
    """Rule id -> its section text, from the `### ID` headings under "## The rules"."""
    rules_part = DOC.read_text(encoding="utf-8").split("## The rules", 1)[1].split("\n## ", 1)[0]
    sections = re.split(r"^### ", rules_part, flags=re.M)[1:]
    return {section.split("\n", 1)[0].strip(): section for section in sections}


def test_every_rule_in_the_catalogue_is_documented_with_its_statements() -> None:
    docs = documented()
    for rule in RULES:
        assert rule.id in docs, f"{rule.id} missing from docs/audit.md"
        assert f"* {rule.zh}\n" in docs[rule.id], f"{rule.id}: Chinese statement differs"
        assert f"* {rule.en}\n" in docs[rule.id], f"{rule.id}: English statement differs"


def test_every_documented_rule_is_in_the_catalogue_in_the_same_order() -> None:
    assert list(documented()) == [rule.id for rule in RULES]


def test_rule_ids_are_unique_and_stable_in_form() -> None:
    ids = [rule.id for rule in RULES]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[A-Z]+(-[A-Z]+)*", i) for i in ids)
