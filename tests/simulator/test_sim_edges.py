"""The simulator's input edges (issue 12): every request answered in a documented shape, every field
checked before the handler runs, the reply encoded before the transaction commits, a refusal that
consumes nothing. Each test here failed on a371c46 (HTTP 500 / HTML, or a committed refusal)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sim_client import SERVICE, FlaskTransport, ProtocolClient
from sim_flows import Sim, pharmacy_shop

from simulator.protocol import fsi
from tools.worlds import PHARMACY, world


def post_raw(sim: Sim, path: str, raw: bytes, method: str = "post") -> Any:
    resp = getattr(sim.t.client, method)(path, data=raw, headers={"Content-Type": "application/json"})
    return resp


def envelope_bytes(pc: ProtocolClient, infno: str, payload: dict[str, Any], **over: Any) -> tuple[str, bytes]:
    """An envelope as ASCII JSON, so lone surrogates travel as `\\ud800` escapes like a hostile HIS sends."""
    env = pc.envelope(infno, payload, **over)
    return env["msgid"], json.dumps(env, ensure_ascii=True).encode()


def refused_envelope(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200 and resp.content_type.startswith("application/json"), resp.data[:200]
    body = json.loads(resp.data)
    assert body["infcode"] == -1 and body["err_code"].startswith("ERR_"), body
    return body


@pytest.mark.parametrize("field", ["cainfo", "signtype", "mdtrtarea_admvs", "opter_name", "dev_no"])
def test_a_lone_surrogate_in_an_echoed_field_is_refused_before_any_money_moves(sim: Sim, field: str) -> None:
    shop = pharmacy_shop(sim, "1", "10.00")
    before = sim.snapshot()
    msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"], **{field: "ab\ud800"})
    body = refused_envelope(post_raw(sim, SERVICE, raw))
    assert body["err_code"] == "ERR_BAD_FIELD" and field in body["err_msg"]
    assert sim.snapshot() == before
    assert shop["pc"].call("2102", shop["buy"], msgid=msgid).ok  # the msgid was not used up


def test_a_reply_that_cannot_be_encoded_rolls_the_settlement_back(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    """Encode-before-commit, tested by a handler whose output cannot be sent as UTF-8: the caller gets an
    error envelope and nothing stands (on a371c46 the charge committed, then an HTML 500)."""
    shop = pharmacy_shop(sim, "1", "10.00")
    real = fsi.HANDLERS["2102"]

    def unencodable(platform: Any, env: Any) -> Any:
        return real(platform, env) | {"note": "\udc80"}

    monkeypatch.setitem(fsi.HANDLERS, "2102", unencodable)
    before = sim.snapshot()
    reply = shop["pc"].call("2102", shop["buy"])
    assert reply.status == 500 and reply.body["infcode"] == -1 and reply.body["err_code"] == "ERR_INTERNAL"
    assert sim.snapshot() == before
    monkeypatch.setitem(fsi.HANDLERS, "2102", real)
    assert shop["pc"].call("2102", shop["buy"], msgid=shop["pc"].last_msgid).ok


@pytest.mark.parametrize(("value", "code"), [(["x"], "ERR_BAD_ENVELOPE"), ("a\x00b", "ERR_BAD_FIELD"),
                                             ("x" * 1025, "ERR_BAD_FIELD")])
def test_echoed_fields_are_checked(sim: Sim, value: Any, code: str) -> None:
    shop = pharmacy_shop(sim, "1", "10.00")
    before = sim.snapshot()
    _msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"], cainfo=value)
    assert refused_envelope(post_raw(sim, SERVICE, raw))["err_code"] == code
    assert sim.snapshot() == before


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_refused_cleanly(sim: Sim, depth: int) -> None:
    shop = pharmacy_shop(sim, "1", "10.00")
    _msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"])
    deep = b"[" * depth + b"]" * depth
    raw = raw.replace(b'"cainfo": ""', b'"extra": ' + deep + b', "cainfo": ""')
    body = refused_envelope(post_raw(sim, SERVICE, raw))
    assert body["err_code"] == "ERR_BAD_JSON" and "嵌套过深" in body["err_msg"]


def test_a_lone_surrogate_anywhere_in_a_body_is_refused(sim: Sim) -> None:
    shop = pharmacy_shop(sim, "1", "10.00")
    before = sim.snapshot()
    shop["buy"]["drugdetail"][0]["medins_list_name"] = "药\ud83d"
    _msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"])
    assert "medins_list_name" in refused_envelope(post_raw(sim, SERVICE, raw))["err_msg"]
    resp = post_raw(sim, "/admin/echo", b'{"psn_no": "\\udfff"}')
    assert resp.status_code == 400 and resp.json["code"] == "ERR_BAD_FIELD"
    assert sim.snapshot() == before


def test_unmatched_routes_and_wrong_methods_answer_json(sim: Sim) -> None:
    for method, path, status, code in (("get", "/nowhere", 404, "ERR_NO_SUCH_ROUTE"),
                                       ("post", "/app/nowhere", 404, "ERR_NO_SUCH_ROUTE"),
                                       ("get", SERVICE, 405, "ERR_METHOD_NOT_ALLOWED"),
                                       ("delete", "/app/bindings", 405, "ERR_METHOD_NOT_ALLOWED")):
        resp = getattr(sim.t.client, method)(path)
        assert resp.status_code == status and resp.content_type.startswith("application/json"), resp.data[:80]
        assert resp.json["code"] == code and resp.json["message"]
    assert "POST" in sim.t.client.get(SERVICE).headers["Allow"]


def test_the_body_size_is_limited(make_app: Callable[..., Flask]) -> None:
    app = make_app(max_body_bytes=4096)
    sim = Sim(FlaskTransport(app.test_client()))
    shop = pharmacy_shop(sim, "1", "10.00")
    before = sim.snapshot()
    shop["buy"]["druginfo"]["invono"] = "x" * 5000
    _msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"])
    resp = post_raw(sim, SERVICE, raw)
    assert resp.status_code == 413 and resp.json["infcode"] == -1 and resp.json["err_code"] == "ERR_BODY_TOO_LARGE"
    resp = post_raw(sim, "/admin/world", json.dumps(world(), ensure_ascii=False).encode() + b" " * 5000)
    assert resp.status_code == 413 and resp.json["code"] == "ERR_BODY_TOO_LARGE"
    assert sim.snapshot() == before


@pytest.mark.parametrize("path", ["/app/bindings/" + "9" * 40, "/app/bindings/99999999999999999999",
                                  "/app/persons/61%00103/funders", "/app/persons/%ED%A0%80/wallet",
                                  "/app/persons/" + "6" * 80 + "/minors", "/admin/settlements?fixmedins_code=%00",
                                  "/admin/ledger?psn_no=" + "1" * 65])
def test_path_parameters_are_checked(sim: Sim, path: str) -> None:
    sim.load(world())
    resp = sim.t.client.get(path)
    assert resp.status_code in (400, 401, 404) and resp.content_type.startswith("application/json"), resp.data[:80]
    assert resp.json["code"].startswith("ERR_") and resp.json["message"]


def test_a_refused_9102_does_not_use_up_its_msgid(sim: Sim) -> None:
    sim.load(world())
    pc = sim.client(PHARMACY)
    up = pc.call("9101", {"fsUploadIn": {"in": "aGVsbG8=", "filename": "a.txt"}})
    number = up.output["file_qury_no"]
    refused = pc.call("9102", {"fsDownloadIn": {"file_qury_no": "F0000000000000000000"}})
    assert refused.code == "ERR_FILE_UNKNOWN"
    again = sim.t.client.post(SERVICE, json=pc.envelope("9102", {"fsDownloadIn": {"file_qury_no": number}},
                                                           msgid=pc.last_msgid))
    assert again.status_code == 200 and again.data == b"hello"


def test_what_the_openapi_fuzz_found_is_refused_cleanly(sim: Sim) -> None:
    """schemathesis found these on the way: an absurd clock advance (OverflowError, 500), NaN read as a
    float, an echo of a non-object."""
    before = sim.snapshot()
    for path, raw in (("/admin/clock/advance", b'{"seconds": 1e300}'), ("/admin/clock/advance", b'{"seconds": NaN}'),
                      ("/admin/echo", b"false"), ("/admin/topup", b'{"amount": Infinity, "psn_no": "x"}')):
        resp = post_raw(sim, path, raw)
        assert resp.status_code == 400 and resp.json["code"] in ("ERR_BAD_TIME", "ERR_BAD_JSON"), (path, resp.data)
    assert sim.snapshot() == before
    shop = pharmacy_shop(sim, "1", "10.00")
    _msgid, raw = envelope_bytes(shop["pc"], "2102", shop["buy"])
    raw = raw.replace(b'"medfee_sumamt": "10.00"', b'"medfee_sumamt": NaN')
    assert refused_envelope(post_raw(sim, SERVICE, raw))["err_code"] == "ERR_BAD_JSON"


def test_the_request_journal_keeps_hostile_refusals(sim: Sim, app: Flask) -> None:
    """A NUL, a lone surrogate or an over-long value in a refused envelope is journalled, not a batch that
    PostgreSQL (or SQLite) rejects on every flush (found by `make fuzz` on PostgreSQL)."""
    shop = pharmacy_shop(sim, "1", "10.00")
    for msgid, infno in (("P\x0061010300017", "1101"), ("\ud800x", "1101"), ("\x00" * 64, "9" * 40)):
        _m, raw = envelope_bytes(shop["pc"], infno, {"data": {}}, msgid=msgid)
        refused_envelope(post_raw(sim, SERVICE, raw))
    traffic = app.extensions["simulator"].platform.store.traffic
    traffic.flush()  # raised DataError / UnicodeEncodeError before
    assert any("\\u0000" in row["msgid"] for row in traffic.rows(None, limit=50))
