"""The soak's invariants for inpatient stays (tools/soak/books.py calls it): every stay settlement (2304) on the
platform against the terminals' stay books, the journal's 2304 reply and the platform's ledger — the stay
book shows a settled stay settled under that settlement (and a revoked or reversed one not), no stay is
settled twice, the money matches to the fen (medical fees, fund, each payer leg, cash: the platform's
settlement, its ledger, the journal's reply and the printed 出院结算单), a revoked stay's ledger gives every
leg back and the journal's 2305 the fund, the account and the cash — and the day end: every clr_type 21 group of 3201/3202 balanced, declaring as many stays and as
much fund as the platform holds settled."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_plugin.checkout.stay import stay_total
from pos_plugin.journal.stays import StayBook, StayRecord
from pos_plugin.journal.store import Entry
from pos_plugin.platform.models import Settlement

ZERO = Decimal("0.00")
# the platform's settlement columns and the 2304 reply's setlinfo names for the same money
MONEY = (("medfee", "medfee_sumamt"), ("hifp", "fund_pay_sumamt"), ("acct", "acct_pay"),
         ("mulaid", "acct_mulaid_pay"), ("wallet", "wallet_pay"), ("cash", "psn_cash_pay"))
RETURNED = (("hifp", "fund_pay_sumamt"), ("acct", "acct_pay"), ("cash", "psn_cash_pay"))  # a 2305 gives back
DAY_END_3201 = re.compile(r"\[3201\] 险种 \S+ 清算类别 21 经办机构 \S+: (平|不平)\s+笔数 (\d+) 医疗费 ([-\d.,]+) "
                          r"基金 ([-\d.,]+)")
DAY_END_3202 = re.compile(r"\[3202\] 清算类别 21 经办机构 \S+: (平|不平)")
Leg = tuple[str, str, Decimal]


def check_stays(platform: list[dict[str, Any]], ledger: list[dict[str, Any]], answered: list[Entry],
                stay_books: Iterable[Path], outputs: list[subprocess.CompletedProcess[str]]) -> dict[str, Any]:
    rows = [row for row in platform if row["infno"] == "2304"]
    books = _stays(stay_books)
    replies = {e.setl_id: Settlement.from_output(e.reply, e.msgid) for e in answered if e.infno == "2304"}
    revokes = {e.orig_setl_id: e for e in answered if e.infno == "2305"}
    entries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in ledger:
        entries.setdefault((item["setl_id"], item["entry"]), []).append(item)
    problems: dict[str, list[str]] = {"stay_book_mismatches": [], "stays_settled_twice": [],
                                      "stay_money_mismatches": [], "revoked_stays_not_returned": []}
    settled_per_stay = Counter(row["mdtrt_id"] for row in rows if row["status"] == "settled")
    problems["stays_settled_twice"] = [f"stay {m} settled {n} times on the platform"
                                       for m, n in settled_per_stay.items() if n > 1]
    for row in rows:
        setl_id, status = row["setl_id"], row["status"]
        stay, fees_total = books.get(row["mdtrt_id"], (None, ZERO))
        holds = stay is not None and stay.state == "settled" and stay.setl_id == setl_id
        if holds != (status == "settled"):
            problems["stay_book_mismatches"].append(
                f"stay settlement {setl_id} platform {status}: stay book "
                + ("has no such stay" if stay is None else f"{stay.state} {stay.setl_id}"))
        if status == "reversed":
            continue
        settle_legs = entries.get((setl_id, "settle"), [])
        problems["stay_money_mismatches"] += _money(row, replies.get(setl_id), settle_legs,
                                                    stay if holds else None, fees_total)
        if status == "revoked":  # every leg back on the ledger (none for a stay paid all in cash), and the
            given = _by_source(settle_legs)  # journal's 2305 giving back exactly the fund, the account and the cash
            back = _by_source(entries.get((setl_id, "revoke"), []))
            if {k: -v for k, v in back.items() if v} != {k: v for k, v in given.items() if v}:
                problems["revoked_stays_not_returned"].append(f"stay settlement {setl_id} paid {given}, given back {back}")
            revoke = revokes.get(setl_id)
            told = None if revoke is None else tuple(-revoke.amounts[ours] for theirs, ours in RETURNED)
            if told != tuple(Decimal(row[theirs]) for theirs, _ in RETURNED):
                problems["revoked_stays_not_returned"].append(
                    f"stay settlement {setl_id}: the journal's 2305 gave back {told}, the settlement took "
                    f"{tuple(row[theirs] for theirs, _ in RETURNED)}")
    day_end = _day_end(outputs, rows)
    report = {name: len(found) for name, found in problems.items()} | day_end
    report["stays_checked"] = sum(1 for row in rows if row["status"] != "reversed")
    report["revoked_stays_checked"] = sum(1 for row in rows if row["status"] == "revoked")
    report["examples"] = [x for found in problems.values() for x in found][:5] + day_end.pop("examples")
    return report


def _stays(paths: Iterable[Path]) -> dict[str, tuple[StayRecord, Decimal]]:
    """Every stay of every till's stay book, with what its fees (those not deleted) add up to."""
    found: dict[str, tuple[StayRecord, Decimal]] = {}
    for path in paths:
        book = StayBook(path)
        found |= {s.mdtrt_id: (s, stay_total(book.fees(s.mdtrt_id))) for s in book.all()}
        book.close()
    return found


def _money(row: dict[str, Any], reply: Settlement | None, ledger: list[dict[str, Any]], stay: StayRecord | None,
           fees_total: Decimal) -> list[str]:
    setl_id = row["setl_id"]
    if reply is None:
        return [f"stay settlement {setl_id}: no answered 2304 in the journal"]
    out = [f"{setl_id} {ours}: platform {row[theirs]}, journal {reply.amount(ours)}"
           for theirs, ours in MONEY if Decimal(row[theirs]) != reply.amount(ours)]
    fund = sum((Decimal(e["amount"]) for e in ledger if e["source"] == "fund"), ZERO)
    if fund != Decimal(row["hifp"]):
        out.append(f"{setl_id} fund: settlement {row['hifp']}, ledger {fund}")
    paid = Counter((e["source"], e["psn_no"] or "", Decimal(e["amount"])) for e in ledger
                   if e["source"] != "fund" and Decimal(e["amount"]) != 0)
    told = Counter((leg.source, leg.psn_no, leg.amount) for leg in reply.payleg if leg.amount != 0)
    if paid != told:
        out.append(f"{setl_id} legs: ledger {dict(paid)}, journal {dict(told)}")
    legs_total = sum((Decimal(row[name]) for name in ("acct", "mulaid", "wallet")), ZERO)
    if sum((amount for _, _, amount in paid.elements()), ZERO) != legs_total:
        out.append(f"{setl_id} legs add up to {sum(a for _, _, a in paid.elements())}, the settlement says {legs_total}")
    if stay is not None:  # the stay book's own record of a stay still settled: its fees and its receipt
        if fees_total != Decimal(row["medfee"]):
            out.append(f"{setl_id} stay book fees {fees_total}, platform medfee {row['medfee']}")
        printed = _receipt(stay.receipt)
        if (printed["fund"], printed["cash"]) != (Decimal(row["hifp"]), Decimal(row["cash"])) or \
                Counter(printed["legs"]) != Counter(amount for _, _, amount in paid.elements()):
            out.append(f"{setl_id} 出院结算单 {printed}, platform fund {row['hifp']} cash {row['cash']} legs "
                       f"{sorted(a for _, _, a in paid.elements())}")
    return out


def _receipt(text: str) -> dict[str, Any]:
    """The fund share, the payer legs and the cash of a printed 出院结算单 (checkout/stay.py's layout)."""
    lines = text.splitlines()
    fund = next((amount(line) for line in lines if line.startswith("统筹基金支付")), None)
    burden = next((i for i, line in enumerate(lines) if line.startswith("个人负担")), len(lines))
    cash_at = next((i for i, line in enumerate(lines) if line.startswith("  现金")), len(lines))
    legs = [amount(line) for line in lines[burden + 1:cash_at] if amount(line) != 0]
    return {"fund": fund, "legs": legs, "cash": amount(lines[cash_at]) if cash_at < len(lines) else None}


def amount(line: str) -> Decimal:
    """The amount a receipt row ends with."""
    return Decimal(line.split()[-1].replace(",", ""))


def _by_source(ledger: list[dict[str, Any]]) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = {}
    for e in ledger:
        key = (e["source"], e["psn_no"] or e["pool_id"] or e["wallet_id"] or "")
        sums[key] = sums.get(key, ZERO) + Decimal(e["amount"])
    return sums


def _day_end(outputs: list[subprocess.CompletedProcess[str]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The day end's clr_type 21 groups: each balanced (平), and the plain reconcile (refd_setl_flag 0) declaring
    every stay settlement in force and its fund."""
    groups, unbalanced, examples = 0, 0, []
    declared_count, declared_fund = 0, ZERO
    for out in outputs:
        if "reconcile" not in out.args:
            continue
        plain = "--with-refunds" not in out.args
        for verdict, count, _medfee, fund in DAY_END_3201.findall(out.stdout):
            groups += 1
            unbalanced += verdict != "平"
            if plain:
                declared_count += int(count)
                declared_fund += Decimal(fund.replace(",", ""))
        for verdict in DAY_END_3202.findall(out.stdout):
            groups += 1
            unbalanced += verdict != "平"
    in_force = [row for row in rows if row["status"] == "settled"]
    fund = sum((Decimal(row["hifp"]) for row in in_force), ZERO)
    if (declared_count, declared_fund) != (len(in_force), fund):
        unbalanced += 1
        examples.append(f"day end declared {declared_count} stays, fund {declared_fund}; the platform holds "
                        f"{len(in_force)} in force, fund {fund}")
    return {"stay_day_end_unbalanced": unbalanced, "stay_day_end_groups": groups, "examples": examples}
