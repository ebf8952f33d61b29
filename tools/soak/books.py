"""The soak's invariants (tools/soak/__main__.py), checked after every terminal ran `recover` and T1 ran `reconcile`:
money conserved, nothing unresolved, no msgid twice, the platform's settlements agree with the journal and the
sale book, every reconciliation balanced, no full ID number written anywhere — and the sales upload: every sale
settled on the platform has its 3505 exactly once, every revoked one its 3506 exactly once, no upload names a
settlement that is not a sale in force or revoked, and no till's upload book has anything pending — and the
inpatient stays (tools/soak/stays_check.py).

Each check also says how many things it examined; `examined_nothing` names a check that had nothing to look
at, and the soak fails then too (a check that examined nothing never passes)."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from pos_plugin.errors import SaleUnknown
from pos_plugin.journal import Journal
from pos_plugin.journal.sales import SaleBook
from pos_plugin.journal.store import CONFIRMED, DONE, REVOKES, SALE_SETTLES, SETTLES
from pos_plugin.journal.uploads import UPLOADS_SCHEMA
from pos_plugin.lab.sim_admin import SimulatorAdmin
from pos_plugin.platform.state import StateDb
from tools.soak.stays_check import check_stays
from tools.soak.world import INSTITUTION, full_ids

# the counters that must be zero, in the order the summary line prints them
COUNTERS = ("fen_lost_or_created", "unresolved", "duplicate_msgids", "book_mismatches", "unbalanced_reconciliations",
            "full_id_numbers", "sales_not_uploaded_once", "returns_not_uploaded_once", "uploads_without_sale",
            "uploads_pending", "stay_book_mismatches", "stays_settled_twice", "stay_money_mismatches",
            "revoked_stays_not_returned", "stay_day_end_unbalanced")
# what the checks examined (each must be > 0)
EXAMINED = ("sales_checked", "returns_checked", "upload_lines_checked", "stays_checked", "revoked_stays_checked",
            "stay_day_end_groups")
UploadLines = Counter[tuple[str, Decimal]]


def check(admin: SimulatorAdmin, state: Path, local_books: list[Path], outputs: list[subprocess.CompletedProcess[str]],
          url: str, state_db: str) -> dict[str, Any]:
    """`local_books`: each till's SQLite file of what stays local to it (the upload book, the stay book)."""
    conservation = admin.conservation()
    lost_or_created = abs(Decimal(str(conservation.get("difference", "0")))) * 100 if conservation["ok"] is True \
        else Decimal(conservation.get("difference") or 1) * 100
    journal = Journal(state_db or state / "journal.sqlite", terminal="soak-check")
    sales = SaleBook(state_db or state / "journal.sqlite")
    unresolved = journal.unresolved(all_terminals=True)
    answered = journal.entries(states=(DONE, CONFIRMED))
    settles = {e.setl_id: e for e in answered if e.infno in SETTLES}
    revokes: Counter[str] = Counter(e.orig_setl_id or "" for e in answered if e.infno in REVOKES)
    booked = {r["setl_id"]: r["state"] for r in sales.db.read("SELECT setl_id, state FROM sales")}
    platform = admin.settlements(str(INSTITUTION["code"]))
    mismatches = []
    for row in platform:
        setl_id, status = row["setl_id"], row["status"]
        expect = {"settled": (True, 0, "settled"), "revoked": (True, 1, "revoked"), "reversed": (False, 0, None)}
        in_journal, revoked_n, sale_state = expect[status]
        seen = (setl_id in settles, revokes[setl_id], booked.get(setl_id))
        if row["infno"] not in SALE_SETTLES:  # a stay: its book is the stay book (stays_check.py)
            seen, sale_state = (seen[0], seen[1], None), None
        if seen != (in_journal, revoked_n, sale_state):
            mismatches.append(f"{setl_id} platform {status}: journal settle={seen[0]} revokes={seen[1]} "
                              f"sale book={seen[2]}")
    on_platform = {row["setl_id"] for row in platform}
    mismatches += [f"{s} in the journal, not on the platform" for s in settles if s not in on_platform]
    unbalanced = sum(1 for out in outputs if "reconcile" in out.args and out.returncode != 0)
    recover_failed = sum(1 for out in outputs if "recover" in out.args and out.returncode != 0)
    text = "".join(out.stdout + out.stderr for out in outputs)
    (state / "cli-output.txt").write_text(text, encoding="utf-8")
    stored = "".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(state.rglob("journal.sqlite*")))
    stored += "".join(f"{r['request']}{r['reply']}" for r in journal.db.read("SELECT request, reply FROM journal"))
    drawn = [row["msgid"] for row in journal.db.read("SELECT msgid FROM journal")]
    uploads = check_uploads(admin, platform, sales, local_books)
    ledger = requests.get(f"{url}/admin/ledger", timeout=30).json()["entries"]
    stays = check_stays(platform, ledger, answered, local_books, outputs)
    journal.close()
    sales.close()
    report = {"fen_lost_or_created": int(lost_or_created), "unresolved": len(unresolved) + recover_failed,
              "duplicate_msgids": len(drawn) - len(set(drawn)) + reused_msgids(url),
              "book_mismatches": len(mismatches), "unbalanced_reconciliations": unbalanced,
              "full_id_numbers": full_ids(text) + full_ids(stored),
              "settlements": Counter(row["status"] for row in platform),
              "mismatch_examples": mismatches[:5] + uploads.pop("examples") + stays.pop("examples"),
              "cli": text if unbalanced or recover_failed else ""} | uploads | stays
    report["examined_nothing"] = [name for name in EXAMINED if report[name] == 0]
    return report


def check_uploads(admin: SimulatorAdmin, platform: list[dict[str, Any]], sales: SaleBook,
                  upload_books: Iterable[Path]) -> dict[str, Any]:
    """The sales upload against the platform's settlements: the lines the simulator stored under each sale's
    settlement id must be the sale's insurable lines (code, quantity) exactly once — a missing, partial or
    doubled upload differs — and those of each revoked sale's return the same; the simulator's own
    reconciliation (GET /admin/uploads) must agree."""
    stored = admin.uploads(str(INSTITUTION["code"]))
    lines: dict[tuple[str, str], UploadLines] = {}
    for u in stored["uploads"]:
        lines.setdefault((u["kind"], u["setl_id"]), Counter())[(u["med_list_codg"], Decimal(u["sel_retn_cnt"]))] += 1
    sold = {row["setl_id"]: row["status"] for row in platform if row["infno"] in SALE_SETTLES}
    in_force = {s for s, status in sold.items() if status in ("settled", "revoked")}
    not_once = {"sale": set(stored["sales_not_uploaded"]) & in_force,
                "return": set(stored["returns_not_uploaded"]) & in_force}
    examples = []
    for setl_id in sorted(in_force):
        expected = _sale_lines(sales, setl_id)
        kinds = ("sale", "return") if sold[setl_id] == "revoked" else ("sale",)
        for kind in kinds:
            got = lines.get((kind, setl_id), Counter())
            if got != expected:
                not_once[kind].add(setl_id)
                examples.append(f"{setl_id} {kind} upload {dict(got)} != the sale's lines {dict(expected)}")
        if sold[setl_id] == "settled" and ("return", setl_id) in lines:
            not_once["return"].add(setl_id)
            examples.append(f"{setl_id} still settled, yet a return (3506) was uploaded")
    named = {setl_id for _, setl_id in lines}
    without = (named - in_force) | set(stored["unknown_settlements"])
    examples += [f"an upload names {s or '(no settlement)'}, not a settled or revoked sale" for s in sorted(without)]
    pending = 0
    for book in upload_books:
        db = StateDb(book, schema=UPLOADS_SCHEMA)
        pending += int(db.read("SELECT COUNT(*) AS n FROM sales_uploads WHERE state = 'pending'")[0]["n"])
        db.close()
    return {"sales_not_uploaded_once": len(not_once["sale"]), "returns_not_uploaded_once": len(not_once["return"]),
            "uploads_without_sale": len(without), "uploads_pending": pending,
            "sales_checked": len(in_force), "upload_lines_checked": len(stored["uploads"]), "returns_checked": sum(1 for s in in_force if sold[s] == "revoked"),
            "examples": examples[:5]}


def _sale_lines(sales: SaleBook, setl_id: str) -> UploadLines:
    """The insurable lines the sale book holds for a settlement (what its 3505 and 3506 must carry)."""
    try:
        record = sales.get(setl_id)
    except SaleUnknown:
        return Counter()  # not booked: the book check reports it; any upload then differs from nothing
    return Counter((line.code, line.qty) for line in record.lines if line.insurable)


def reused_msgids(url: str) -> int:
    """Requests the platform refused for a msgid already used (ERR_MSGID_REUSED), over its last 200 requests
    of this institution (the console's journal): two tills that drew one msgid would show here."""
    entries = requests.get(f"{url}/console/api/journal", params={"institution": str(INSTITUTION["code"])},
                           timeout=30).json()["entries"]
    return sum(1 for e in entries if e.get("err_code") == "ERR_MSGID_REUSED")
