"""One till process of the chaos soak (tools/soak/__main__.py): reads operations as JSON lines on stdin, runs each
through the plugin's Python API (`terminal.till`) and answers one JSON line per operation on stdout.

An operation may name a kill point; the process then SIGKILLs itself there, as a power cut would:
    before_send      the journal row is written (pending), the request has not left
    reply_unrecorded the platform answered; the journal does not know yet
    reply_recorded   the journal says done; the sale book does not know yet
    sale_booked      the sale is booked; the caller has not seen it
The hooks wrap the journal and the till in THIS process only; the plugin's code is unchanged.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from pathlib import Path
from typing import Any

from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.checkout.till import Till
from pos_plugin.config import Terminal, TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import PosError
from pos_plugin.journal.store import Journal

KILL_AT: list[str] = []  # the kill point armed for the current operation


def _die_at(point: str) -> None:
    if KILL_AT and KILL_AT[0] == point:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _install_hooks() -> None:
    before_send, after_reply, book = Journal.before_send, Journal.after_reply, Till.book

    def hooked_before_send(self: Journal, *args: Any, **kwargs: Any) -> None:
        before_send(self, *args, **kwargs)
        _die_at("before_send")

    def hooked_after_reply(self: Journal, *args: Any, **kwargs: Any) -> None:
        _die_at("reply_unrecorded")
        after_reply(self, *args, **kwargs)
        _die_at("reply_recorded")

    def hooked_book(self: Till, *args: Any, **kwargs: Any) -> Any:
        booked = book(self, *args, **kwargs)
        _die_at("sale_booked")
        return booked

    Journal.before_send = hooked_before_send  # type: ignore[method-assign]
    Journal.after_reply = hooked_after_reply  # type: ignore[method-assign]
    Till.book = hooked_book  # type: ignore[method-assign]


class Tills:
    """The terminals this process has opened (one per terminal name, one shared state directory)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.open: dict[str, Terminal] = {}

    def terminal(self, name: str) -> Terminal:
        if name not in self.open:
            c = self.config
            self.open[name] = open_terminal(TerminalSettings(c["url"], c["institution"], c["institution_name"],
                                                             c["admdvs"], "national-default", Path(c["state_dir"]), name,
                                                             state_db=c.get("state_db", "")))
        return self.open[name]


def run(op: dict[str, Any], tills: Tills) -> dict[str, Any]:
    terminal = tills.terminal(op["terminal"])
    rng = random.Random(op["seed"])
    KILL_AT[:] = [op["kill"]] if op.get("kill") else []
    try:
        if op["kind"] == "settle":
            patient = identify(terminal.client, Credential("id_card", op["certno"]))
            lines = tuple(cart_line_from_mapping(line) for line in op["lines"])
            booked = terminal.till.checkout(patient, Order(lines), lambda quote: True)
            return {"ok": True, "sale_id": booked.sale_id}
        settled = [r["setl_id"] for r in terminal.sales.db.read(
            "SELECT setl_id FROM sales WHERE state = 'settled' AND setl_id NOT LIKE 'LOCAL-%' ORDER BY setl_id")]
        if not settled:
            return {"ok": False, "error": "NOTHING_TO_GIVE_BACK"}
        sale_id = rng.choice(settled)
        if op["kind"] == "revoke":
            terminal.till.revoke(sale_id)
            return {"ok": True, "sale_id": sale_id}
        record = terminal.sales.get(sale_id)
        patient = identify(terminal.client, Credential("id_card", op["certnos"][record.psn_no]))
        refunded = terminal.till.refund(sale_id, patient, [rng.choice(record.lines).code], lambda quote: True)
        return {"ok": True, "sale_id": sale_id, "new": refunded.new.sale_id if refunded.new else None}
    except PosError as exc:
        return {"ok": False, "error": exc.code}
    finally:
        KILL_AT.clear()


def main() -> None:
    config = json.loads(sys.argv[1])
    _install_hooks()
    tills = Tills(config)
    for line in sys.stdin:
        op = json.loads(line)
        if op["kind"] == "recover":
            recovered = tills.terminal(op["terminal"]).till.recover()
            result = {"ok": not recovered.unresolved, "booked": [r.setl_id for r in recovered.booked],
                      "outcomes": [r.outcome for r in recovered.resolutions]}
        else:
            result = run(op, tills)
        print(json.dumps(result), flush=True)
    for terminal in tills.open.values():
        terminal.close()


if __name__ == "__main__":
    main()
