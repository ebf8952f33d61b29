"""The client over real HTTP against a tiny local server, for wire variants and failures the simulator
never produces: infcode as a string, expContent, numeric amounts, refused/dropped/hung connections,
HTTP 500 and non-JSON replies — and what the retry policy and the journal make of each."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pos_plugin.errors import (
    BadReply,
    BusinessError,
    HttpStatusError,
    PlatformTimeout,
    PlatformUnreachable,
    SignInRejected,
    TransportError,
    UnknownOutcome,
)
from pos_plugin.journal import DONE, FAILED, PENDING, UNKNOWN, Journal
from pos_plugin.platform import Institution, Operator, PlatformClient, SignIn, TifCredentials, Timeouts
from pos_plugin.platform.tif import tif_signature

NOW = datetime(2026, 4, 20, 18, 30, 0)
INSTITUTION = Institution("P61010300017", "西安康平大药房", "610103")
Action = Callable[[dict[str, Any]], tuple[str, Any]]


class FakePlatform:
    """Answers each request with the next scripted action; every request body is kept."""

    def __init__(self) -> None:
        self.script: list[Action] = []
        self.received: list[dict[str, Any]] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body["_path"], body["_headers"] = self.path, dict(self.headers)
                fake.received.append(body)
                kind, payload = fake.next_action(body)
                if kind == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "hang":
                    fake.release.wait(10)
                    return
                status, text = (200, json.dumps(payload)) if kind == "json" else payload
                raw = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def next_action(self, body: dict[str, Any]) -> tuple[str, Any]:
        if body.get("infno") == "9001" and not (self.script and getattr(self.script[0], "for_signin", False)):
            return "json", ok({"signinoutb": {"sign_no": f"SIGN{len(self.received):04d}", "sign_time": "x"}})
        if not self.script:
            return "status", (500, "no script")
        return self.script.pop(0)(body)

    def calls(self, infno: str) -> list[dict[str, Any]]:
        return [b for b in self.received if b.get("infno") == infno]

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def ok(output: Any, infcode: Any = 0) -> dict[str, Any]:
    return {"infcode": infcode, "inf_refmsgid": "610103202604201830000000000001", "err_msg": None, "output": output}


def answer(body: Any) -> Action:
    return lambda request: ("json", body)


def raw(status: int, text: str) -> Action:
    return lambda request: ("status", (status, text))


DROP: Action = lambda request: ("drop", None)  # noqa: E731
HANG: Action = lambda request: ("hang", None)  # noqa: E731

SETL = {"setlinfo": {"setl_id": "S1", "mdtrt_id": "M1", "psn_no": "P1", "medfee_sumamt": 155.8,
                     "acct_pay": "155.80", "psn_cash_pay": 0, "setl_time": "2026-04-20 18:30:01", "insutype": "310",
                     "clr_type": "41"},
        "setldetail": [{"fund_pay_type": "310200", "fund_payamt": "155.8"}],
        "payleg": [{"source": "own", "psn_no": "P1", "amount": 155.8}]}


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    server = FakePlatform()
    yield server
    server.stop()


@pytest.fixture
def journal(tmp_path) -> Iterator[Journal]:
    j = Journal(tmp_path / "journal.sqlite", terminal="T1", clock=lambda: NOW)
    yield j
    j.close()


def make_client(url: str, tmp_path, journal: Journal | None = None, read: float = 2.0) -> PlatformClient:
    return PlatformClient.open(url, institution=INSTITUTION, operator=Operator("0001", "李收银"),
                               state_path=tmp_path / "state.sqlite", recorder=journal,
                               timeouts=Timeouts(connect=1.0, read=read), clock=lambda: NOW)


def settle(client: PlatformClient) -> Any:
    return client.pharmacy_settle({"psn_no": "P1", "medfee_sumamt": Decimal("155.80")}, [], insuplc="610103")


def test_string_infcode_exp_content_spelling_and_numeric_amounts(fake, tmp_path):
    fake.script = [answer(ok({**SETL, "expContent": {"note": "x"}}, infcode="0"))]
    done = settle(make_client(fake.url, tmp_path))
    assert done.setl_id == "S1" and done.amount("medfee_sumamt") == Decimal("155.80")
    assert str(done.setlinfo["acct_pay"]) == "155.80" and done.setldetail[0]["fund_payamt"] == Decimal("155.80")
    assert done.payleg[0].amount == Decimal("155.80") and done.payleg[0].source == "own"
    sent = fake.calls("2102")[0]
    assert sent["msgid"].startswith("P6101030001720260420183000") and len(sent["msgid"]) == 30
    assert sent["sign_no"] == "SIGN0001" and sent["insuplc_admdvs"] == "610103"
    assert sent["input"]["druginfo"]["medfee_sumamt"] == "155.80" and sent["input"]["druginfo"]["med_type"] == "41"


def test_string_minus_one_is_a_business_error_and_the_journal_says_failed(fake, tmp_path, journal):
    fake.script = [answer({"infcode": "-1", "err_msg": "个人账户余额不足", "output": None})]
    with pytest.raises(BusinessError) as err:
        settle(make_client(fake.url, tmp_path, journal))
    assert err.value.message == "个人账户余额不足"
    (row,) = journal.entries(states=(FAILED,))
    assert row.msgid == fake.calls("2102")[0]["msgid"] and "个人账户余额不足" in row.error


def test_sign_in_happens_once_per_operator_per_day_and_survives_restart(fake, tmp_path):
    fake.script = [answer(ok({"baseinfo": {"psn_no": "P1"}}))] * 3
    make_client(fake.url, tmp_path).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    make_client(fake.url, tmp_path).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")  # restart
    assert len(fake.calls("9001")) == 1
    assert fake.calls("9001")[0]["input"]["signIn"]["opter_no"] == "0001" and fake.calls("9001")[0]["sign_no"] == ""
    assert {c["sign_no"] for c in fake.calls("1101")} == {"SIGN0001"}


def test_refused_sign_no_is_renewed_and_the_request_retried_once(fake, tmp_path, journal):
    refuse = answer({"infcode": -1, "err_msg": "签到号无效，请重新签到"})
    fake.script = [refuse, answer(ok(SETL))]
    done = settle(make_client(fake.url, tmp_path, journal))
    assert done.setl_id == "S1"
    assert len(fake.calls("9001")) == 2
    first, second = fake.calls("2102")
    assert first["sign_no"] == "SIGN0001" and second["sign_no"] == "SIGN0003" and first["msgid"] != second["msgid"]
    assert journal.get(first["msgid"]).state == FAILED and journal.get(second["msgid"]).setl_id == "S1"


def test_a_second_sign_no_refusal_is_raised_not_looped(fake, tmp_path):
    refuse = answer({"infcode": -1, "err_msg": "签到号无效"})
    fake.script = [refuse, refuse]
    with pytest.raises(SignInRejected):
        make_client(fake.url, tmp_path).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    assert len(fake.calls("1101")) == 2 and len(fake.calls("9001")) == 2


def test_queries_retry_a_dropped_connection_with_a_fresh_msgid(fake, tmp_path):
    fake.script = [DROP, raw(502, "bad gateway"), answer(ok({"baseinfo": {"psn_no": "P1"}}))]
    person = make_client(fake.url, tmp_path).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    assert person.psn_no == "P1"
    msgids = [c["msgid"] for c in fake.calls("1101")]
    assert len(msgids) == 3 and len(set(msgids)) == 3


def test_queries_give_up_after_the_attempt_budget(fake, tmp_path):
    fake.script = [DROP, DROP, DROP]
    with pytest.raises(TransportError):
        make_client(fake.url, tmp_path).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    assert len(fake.calls("1101")) == 3


@pytest.mark.parametrize("failure, cause", [(DROP, "ERR_TRANSPORT"), (raw(500, "{}"), "ERR_HTTP_STATUS"),
                                            (raw(200, "<html>"), "ERR_BAD_REPLY"), (HANG, "ERR_TIMEOUT"),
                                            (answer(ok({"setlinfo": {"psn_no": "P1"}})), "ERR_BAD_REPLY")])
def test_money_is_never_retried_an_ambiguous_failure_is_an_unknown_outcome(fake, tmp_path, journal, failure, cause):
    fake.script = [failure, answer(ok(SETL))]
    with pytest.raises(UnknownOutcome) as err:
        settle(make_client(fake.url, tmp_path, journal, read=0.5))
    (sent,) = fake.calls("2102")  # exactly one attempt
    assert err.value.msgid == sent["msgid"] and err.value.infno == "2102" and err.value.details["cause"] == cause
    row = journal.get(sent["msgid"])
    assert row.state == UNKNOWN and row.psn_no == "P1" and row.request["msgid"] == sent["msgid"]


def test_stateful_requests_are_not_retried_when_ambiguous(fake, tmp_path):
    fake.script = [DROP, answer(ok({"result": []}))]
    with pytest.raises(TransportError):
        make_client(fake.url, tmp_path).upload_fees([{"psn_no": "P1"}], insuplc="610103")
    assert len(fake.calls("2204")) == 1


def test_unreachable_platform_moves_nothing_and_journals_failed(tmp_path, journal):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}", tmp_path, journal)
    client.sign_ins.put(SignIn("0001", "2026-04-20", "S", "t"))  # signed in earlier today
    with pytest.raises(PlatformUnreachable):
        settle(client)
    (row,) = journal.entries(states=(FAILED,))
    assert row.error.startswith("ERR_UNREACHABLE") and journal.unresolved() == []


def test_timeout_on_a_query_is_retried_then_raised(fake, tmp_path):
    fake.script = [HANG, HANG, HANG]
    with pytest.raises(PlatformTimeout):
        make_client(fake.url, tmp_path, read=0.3).person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")


def test_http_error_on_a_stateful_request_is_raised_with_its_status(fake, tmp_path):
    fake.script = [raw(503, "busy")]
    with pytest.raises(HttpStatusError) as err:
        make_client(fake.url, tmp_path).register({"psn_no": "P1"}, insuplc="610103")
    assert err.value.details["status"] == 503


def test_journal_row_exists_before_the_request_arrives(fake, tmp_path, journal):
    seen: list[str] = []

    def check(request: dict[str, Any]) -> tuple[str, Any]:
        seen.append(journal.get(request["msgid"]).state)
        return "json", ok(SETL)

    fake.script = [check]
    settle(make_client(fake.url, tmp_path, journal))
    assert seen == [PENDING]


@pytest.mark.parametrize("failure", ["answered", "lost"])
def test_on_one_store_the_msgid_is_drawn_in_the_journal_transaction_before_the_request_leaves(
        fake, tmp_path, failure):
    from pos_plugin.platform.state import STATE_SCHEMA, StateDb
    store = StateDb(tmp_path / "journal.sqlite", schema=STATE_SCHEMA)
    journal = Journal(store, terminal="T1", clock=lambda: NOW)
    client = PlatformClient.open(fake.url, institution=INSTITUTION, operator=Operator("0001", "李收银"),
                                 state_path=store, recorder=journal, timeouts=Timeouts(connect=1.0, read=2.0),
                                 clock=lambda: NOW)
    client.sign_in()
    statements: list[str] = []
    seen: list[tuple[str, list[str]]] = []

    def check(request: dict[str, Any]) -> tuple[str, Any]:
        before = list(statements)  # what the till ran before its request arrived
        seen.append((journal.get(request["msgid"]).state, before))
        return ("json", ok(SETL)) if failure == "answered" else ("drop", None)

    fake.script = [check]
    store.trace(lambda sql: statements.append(sql.split()[0]))
    if failure == "answered":
        settle(client)
    else:
        with pytest.raises(UnknownOutcome):
            settle(client)
    store.trace(None)
    ((state, before),) = seen
    assert state == PENDING and before == ["BEGIN", "INSERT", "INSERT", "COMMIT"]  # msgid and row: one commit
    (row,) = journal.entries(states=(DONE,) if failure == "answered" else (UNKNOWN,))
    assert row.msgid == fake.calls("2102")[0]["msgid"]
    client.close()


def test_x_tif_headers_are_sent_when_configured(fake, tmp_path):
    fake.script = [answer(ok({"baseinfo": {"psn_no": "P1"}}))]
    client = make_client(fake.url, tmp_path)
    client.transport.tif = TifCredentials("paas-1", "secret")
    client.person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    headers = fake.calls("1101")[0]["_headers"]
    assert headers["x-tif-paasid"] == "paas-1"
    assert headers["x-tif-signature"] == tif_signature(headers["x-tif-timestamp"], "secret", headers["x-tif-nonce"])


def test_bad_reply_shapes(fake, tmp_path):
    fake.script = [answer(ok({"nobaseinfo": 1})), answer(ok({"setlinfo": "x"}))]
    client = make_client(fake.url, tmp_path)
    with pytest.raises(BadReply):
        client.person_info(mdtrt_cert_type="02", mdtrt_cert_no="x")
    with pytest.raises(BadReply):
        client.query_settlement(psn_no="P1", setl_id="S1")
