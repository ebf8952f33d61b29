"""One till process of the chaos soak (tools/soak/__main__.py): reads operations as JSON lines on stdin, runs each
through the plugin's Python API (`terminal.till`, `terminal.desk`: tools/soak/stay_ops.py) and answers one JSON line per operation on stdout.

An operation may name a kill point; the process then SIGKILLs itself there, as a power cut would:
    before_send      the journal row is written (pending), the request has not left
    reply_unrecorded the platform answered; the journal does not know yet
    reply_recorded   the journal says done; the sale book (or stay book) does not know yet
    sale_recorded    the sale is in the sale book; its sales upload (3505) is not queued yet
    sale_booked      the sale is booked and its upload sent (or left pending); the caller has not seen it
    revoke_recorded  the sale book says revoked; the return's upload (3506) is not queued yet
    upload_queued    the upload is written pending in the upload book; it has not left
    upload_sent      the platform accepted the upload; the upload book does not know yet
    fees_booked      a stay's fee batch is in the stay book (kill -9 between two batches)
    stay_booked      the stay book took the admission, discharge, settlement, revoke or cancelled discharge;
                     the caller has not seen it
The hooks wrap the journal, the books and the till in THIS process only; the plugin's code is unchanged.

`config["break"]` breaks the till on purpose, so the soak's own test sees an invariant fail:
    double_upload    every sale is uploaded (3505) a second time under other line numbers
    lost_return      a return (3506) is marked done in the upload book without being sent
    misprint_stay    the 出院结算单 prints the fund share a fen too high
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_plugin.checkout import stay as stay_desk
from pos_plugin.checkout.identify import Credential, identify
from pos_plugin.checkout.sale import Order
from pos_plugin.checkout.till import Till
from pos_plugin.config import Terminal, TerminalSettings, open_terminal
from pos_plugin.domain.cart import cart_line_from_mapping
from pos_plugin.errors import PosError
from pos_plugin.journal.sales import SaleBook
from pos_plugin.journal.stays import StayBook
from pos_plugin.journal.store import Journal
from pos_plugin.journal.uploads import SalesUploads
from pos_plugin.platform import PlatformClient
from tools.soak import stay_ops

KILL_AT: list[str] = []  # the kill point armed for the current operation
UPLOADS = ("3505", "3506")


def _die_at(point: str) -> None:
    """SIGKILL this process at `point` if the operation armed it; the last line out names the point."""
    if KILL_AT and KILL_AT[0] == point:
        print(json.dumps({"ok": False, "killed": point}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


def _after(cls: Any, name: str, point: str) -> None:
    """`cls.name` dies at `point` once it has done its work."""
    original = getattr(cls, name)

    def hooked(self: Any, *args: Any, **kwargs: Any) -> Any:
        done = original(self, *args, **kwargs)
        _die_at(point)
        return done

    setattr(cls, name, hooked)


def _install_hooks() -> None:
    before_send, reserve, after_reply, send_upload, call = (Journal.before_send, Journal.reserve, Journal.after_reply,
                                                            SalesUploads._send, PlatformClient.call)

    def hooked_before_send(self: Journal, *args: Any, **kwargs: Any) -> None:
        before_send(self, *args, **kwargs)
        _die_at("before_send")

    def hooked_reserve(self: Journal, *args: Any, **kwargs: Any) -> Any:  # msgid and row in one transaction
        reserved = reserve(self, *args, **kwargs)
        _die_at("before_send")
        return reserved

    def hooked_after_reply(self: Journal, *args: Any, **kwargs: Any) -> None:
        _die_at("reply_unrecorded")
        after_reply(self, *args, **kwargs)
        _die_at("reply_recorded")

    def hooked_send_upload(self: SalesUploads, setl_id: str, infno: str) -> bool:
        _die_at("upload_queued")
        return send_upload(self, setl_id, infno)

    def hooked_call(self: PlatformClient, infno: str, *args: Any, **kwargs: Any) -> Any:
        reply = call(self, infno, *args, **kwargs)
        if infno in UPLOADS:
            _die_at("upload_sent")
        return reply

    Journal.before_send = hooked_before_send  # type: ignore[method-assign]
    Journal.reserve = hooked_reserve  # type: ignore[method-assign]
    Journal.after_reply = hooked_after_reply  # type: ignore[method-assign]
    SalesUploads._send = hooked_send_upload  # type: ignore[method-assign]
    PlatformClient.call = hooked_call  # type: ignore[method-assign, assignment]
    _after(SaleBook, "record", "sale_recorded")
    _after(SaleBook, "mark_revoked", "revoke_recorded")
    _after(Till, "book", "sale_booked")
    _after(StayBook, "add_fees", "fees_booked")
    _after(StayBook, "set_state", "stay_booked")
    _after(StayBook, "admitted", "stay_booked")


def _break(kinds: str) -> None:
    """Break the till on purpose (the soak's own test): the invariants must catch it. `kinds`: comma-separated."""
    for kind in filter(None, kinds.split(",")):
        if kind == "double_upload":
            _upload_sales_twice()
        elif kind == "lost_return":
            _lose_returns()
        elif kind == "misprint_stay":
            _misprint_stays()
        else:
            raise SystemExit(f"unknown break {kind!r}")


def _upload_sales_twice() -> None:
    sold = SalesUploads.sold

    def sold_twice(self: SalesUploads, setl_id: str, psn_no: str, insuplc: str, lines: Any) -> bool:
        done = sold(self, setl_id, psn_no, insuplc, lines)
        body = self.db.read("SELECT body FROM sales_uploads WHERE setl_id = ? AND infno = '3505'", (setl_id,))
        if body:  # a second upload of the same sale under other line numbers: the platform stores it again
            rows = [{**row, "medins_prod_sel_no": row["medins_prod_sel_no"] + "X"}
                    for row in json.loads(body[0]["body"])["selinfo"]]
            self.client.call("3505", {"selinfo": rows}, insuplc=insuplc, psn_no=psn_no)
        return done

    SalesUploads.sold = sold_twice  # type: ignore[method-assign]


def _lose_returns() -> None:
    send = SalesUploads._send

    def marked_done(self: SalesUploads, setl_id: str, infno: str) -> bool:
        if infno != "3506":
            return send(self, setl_id, infno)
        with self.db.immediate() as conn:  # the book says accepted; nothing was sent
            conn.execute("UPDATE sales_uploads SET state = 'done' WHERE setl_id = ? AND infno = ?", (setl_id, infno))
        return True

    SalesUploads._send = marked_done  # type: ignore[method-assign]


def _misprint_stays() -> None:
    render = vars(stay_desk)["render_discharge_receipt"]  # the name checkout/stay.py prints with

    def misprinted(*args: Any, **kwargs: Any) -> str:
        lines = str(render(*args, **kwargs)).splitlines()
        for i, line in enumerate(lines):  # the fund share printed a fen too high
            if line.startswith("统筹基金支付"):
                amount = line.split()[-1]
                lines[i] = line[:-len(amount)] + f"{Decimal(amount.replace(',', '')) + Decimal('0.01'):.2f}"
        return "\n".join(lines) + "\n"

    vars(stay_desk)["render_discharge_receipt"] = misprinted


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
        if op["kind"] in stay_ops.KINDS:
            KILL_AT.clear()  # the stay's step chooses where the kill strikes
            return stay_ops.run(op, terminal, rng, lambda point: KILL_AT.append(point))
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
    _break(config.get("break", ""))
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
