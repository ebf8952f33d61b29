"""The repository owns its rules: every `docs/<file>.md §N` citation points at a real heading, and nothing
points outside the repository at the team's working copies of the specifications.

A citation is `docs/<name>.md` (backticks allowed) followed by one or more section numbers: `§2.4`,
a range `§2.4–2.5` / `§3–5` (both ends must exist), or a list `§1, §3`. A section number resolves when the
doc has a Markdown heading that starts with it: `## 2.` or `## 2 ` for §2, `### 2.4 ` for §2.4.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("pos_plugin", "simulator", "tests", "docs", "README.md")
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

_NUMBER = r"\d+(?:\.\d+)*"
_SECTION = rf"§\s*{_NUMBER}(?:\s*[–-]\s*{_NUMBER})?"
CITATION = re.compile(rf"docs/([A-Za-z0-9_-]+)\.md`?\s*((?:{_SECTION})(?:\s*(?:,|and|&)\s*{_SECTION})*)")
SECTION = re.compile(rf"§\s*({_NUMBER})(?:\s*[–-]\s*({_NUMBER}))?")
MENTION = re.compile(r"docs/([A-Za-z0-9_-]+)\.md")

# Spelled in parts so that a grep for these names finds nothing in this file either.
_MD = ".md"
FORBIDDEN = tuple(name + _MD for name in ("DOMAIN", "PROTOCOL", "SCENARIOS", "ARCHITECTURE")) + (".." + "/shared",)


def scanned_files(root: Path = ROOT) -> list[Path]:
    """Every text file under the scanned folders, plus README.md."""
    files: list[Path] = []
    for entry in SCANNED:
        path = root / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in sorted(path.rglob("*"))
                      if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(root).parts)
                      and p.suffix not in (".pyc", ".png", ".sqlite", ".db")]
    return files


def read_text(path: Path) -> str | None:
    """The file as text, or None for a binary file."""
    raw = path.read_bytes()
    if b"\0" in raw:
        return None
    return raw.decode("utf-8", errors="replace")


def citations(text: str) -> list[tuple[str, str]]:
    """(doc name, section number) for every section a text cites, both ends of each range."""
    found: list[tuple[str, str]] = []
    for match in CITATION.finditer(text):
        for section in SECTION.finditer(match.group(2)):
            found += [(match.group(1), number) for number in section.groups() if number]
    return found


def headings(markdown: str) -> list[str]:
    """The heading lines of a Markdown text, outside fenced code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6}\s", line):
            out.append(line)
    return out


def has_section(markdown: str, number: str) -> bool:
    """Is there a heading that starts with `number` (`## 2.` / `## 2 ` for 2, `### 2.4 ` for 2.4)?"""
    starts = re.compile(rf"#{{1,6}}\s+{re.escape(number)}(?:\.(?!\d)|\s|$)")
    return any(starts.match(line) for line in headings(markdown))


def broken_citations(root: Path = ROOT) -> list[str]:
    """`file: docs/<doc>.md §N — why` for every citation that does not resolve."""
    broken: list[str] = []
    for path in scanned_files(root):
        text = read_text(path)
        if text is None:
            continue
        for doc, number in citations(text):
            target = root / "docs" / f"{doc}.md"
            where = f"{path.relative_to(root)}: docs/{doc}.md §{number}"
            if not target.is_file():
                broken.append(f"{where} — no such file")
            elif not has_section(target.read_text(encoding="utf-8"), number):
                broken.append(f"{where} — no heading starting with {number}")
    return broken


def missing_docs(root: Path = ROOT) -> list[str]:
    """`file: docs/<doc>.md` for every mention of a doc that does not exist."""
    missing = []
    for path in scanned_files(root):
        text = read_text(path) or ""
        for doc in sorted(set(MENTION.findall(text))):
            if not (root / "docs" / f"{doc}.md").is_file():
                missing.append(f"{path.relative_to(root)}: docs/{doc}.md")
    return missing


def outside_references(root: Path = ROOT) -> list[str]:
    """`file:line: name` for every mention of a specification file kept outside the repository."""
    found = []
    for path in scanned_files(root):
        text = read_text(path) or ""
        for lineno, line in enumerate(text.splitlines(), start=1):
            found += [f"{path.relative_to(root)}:{lineno}: {name}" for name in FORBIDDEN if name in line]
    return found


# -- the repository -------------------------------------------------------------------------------

def test_the_repository_cites_its_docs():
    # Guards the checks below against passing vacuously: the code really cites the docs by section.
    cited = {(doc, number) for path in scanned_files() for doc, number in citations(read_text(path) or "")}
    assert {("domain", "2.4"), ("domain", "2.5"), ("protocol", "2"), ("protocol", "3")} <= cited
    assert len(cited) >= 15


def test_every_cited_section_exists():
    assert broken_citations() == []


def test_every_mentioned_doc_exists():
    assert missing_docs() == []


def test_nothing_points_outside_the_repository():
    assert outside_references() == []


def test_the_three_rule_docs_keep_their_numbering():
    expected = {
        "domain": ("1", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3", "4", "5", "6"),
        "protocol": ("1", "2", "3", "4"),
        "scenarios": ("1", "2", "3", "4"),
    }
    for doc, numbers in expected.items():
        text = (ROOT / "docs" / f"{doc}.md").read_text(encoding="utf-8")
        assert [n for n in numbers if not has_section(text, n)] == [], doc


# -- the checker itself can fail ------------------------------------------------------------------

def _tree(tmp_path: Path, source: str, doc: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "domain.md").write_text(doc, encoding="utf-8")
    (tmp_path / "pos_plugin").mkdir()
    (tmp_path / "pos_plugin" / "m.py").write_text(source, encoding="utf-8")
    return tmp_path


DOC = "# Title\n\n## 2. Settlement\n\n### 2.4 Accounts\n\n### 2.5 Chain\n\n```\n## 9. in a code block\n```\n"
CITE = "docs/" + "domain.md"


def test_citation_forms_are_parsed():
    text = (f"({CITE} §2.4–2.5) `{CITE}` §1, §3 and {CITE} §2-3 {CITE} §3 table; "
            f"{CITE}-level; {CITE} says")
    assert citations(text) == [("domain", "2.4"), ("domain", "2.5"), ("domain", "1"), ("domain", "3"),
                               ("domain", "2"), ("domain", "3"), ("domain", "3")]


def test_a_heading_number_must_match_exactly():
    assert has_section(DOC, "2") and has_section(DOC, "2.4") and has_section(DOC, "2.5")
    assert not has_section(DOC, "2.6")
    assert not has_section(DOC, "24")
    assert not has_section(DOC, "9")  # a heading inside a fenced block is not a heading


def test_a_missing_section_is_reported(tmp_path):
    root = _tree(tmp_path, f'"""See {CITE} §2.4–2.6."""\n', DOC)
    assert broken_citations(root) == [f"pos_plugin/m.py: {CITE} §2.6 — no heading starting with 2.6"]


def test_a_missing_doc_is_reported(tmp_path):
    root = _tree(tmp_path, '"""See docs/' + 'nowhere.md §1."""\n', DOC)
    nowhere = "docs/" + "nowhere.md"
    assert broken_citations(root) == [f"pos_plugin/m.py: {nowhere} §1 — no such file"]
    assert missing_docs(root) == [f"pos_plugin/m.py: {nowhere}"]


def test_a_reference_outside_the_repository_is_reported(tmp_path):
    root = _tree(tmp_path, "# rules: ../" + "shared/" + "DOMAIN" + ".md §2\n", DOC)
    found = outside_references(root)
    assert found == ["pos_plugin/m.py:1: " + "DOMAIN" + ".md", "pos_plugin/m.py:1: ../" + "shared"]
