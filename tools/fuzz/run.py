"""`make fuzz`: a seeded fuzz of the simulator's two faces, checking after every request.

1. The envelope endpoint, with the seeded generator of protocol.py (FUZZ_N requests).
2. Every route of the OpenAPI document (/app, /admin), with schemathesis (positive and negative cases).

After every request: no HTTP 5xx; only documented shapes (the envelope, the 9102 file, or
`{"code", "message"}`); and, when the request was refused, an unchanged database fingerprint
(fingerprint.py). One summary line; exit 1 if any count is non-zero.

    python -m tools.fuzz --n 10000 --seed 12        # FUZZ_N=10000 make fuzz
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator import create_app
from tools.fuzz.fingerprint import fingerprint
from tools.fuzz.protocol import ENVELOPE_KEYS, SERVICE, Generator, learn, load_world

ERR_CODE = re.compile(r"ERR_[A-Z_]+\Z")
MAX_BODY = 64 * 1024  # small, so oversize bodies are cheap to send


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    undocumented: int = 0
    state_changes: int = 0
    examples: list[str] = field(default_factory=list)

    def bad(self, what: str, detail: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(f"{what}: {detail[:300]}")

    def line(self, seed: int, protocol: int, openapi: int, seconds: float) -> str:
        return (f"fuzz: requests={self.requests} http_5xx={self.server_errors} undocumented_shapes={self.undocumented} "
                f"state_changes_from_refusals={self.state_changes} (seed {seed}: protocol {protocol}, "
                f"openapi {openapi}; {seconds:.1f} s)")

    @property
    def clean(self) -> bool:
        return self.server_errors == self.undocumented == self.state_changes == 0


def envelope_shape(resp: Any) -> tuple[bool, bool]:
    """(documented, accepted) for a reply of the envelope endpoint."""
    if resp.status_code == 200 and resp.content_type == "application/octet-stream":
        return True, True  # 9102's file
    try:
        body = json.loads(resp.data)
    except ValueError:
        return False, False
    if not isinstance(body, dict) or not ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"err_code"}:
        return False, False
    if body["infcode"] == 0:
        return resp.status_code == 200 and body["err_msg"] is None, resp.status_code == 200
    ok = (body["infcode"] == -1 and isinstance(body["err_msg"], str) and body["output"] is None
          and isinstance(body.get("err_code"), str) and bool(ERR_CODE.match(body["err_code"])))
    return ok, False


def error_shape(body: Any) -> bool:
    return (isinstance(body, dict) and set(body) == {"code", "message"} and isinstance(body["message"], str)
            and isinstance(body["code"], str) and bool(ERR_CODE.match(body["code"])))


def fuzz_protocol(n: int, seed: int, db_url: str, tally: Tally) -> None:
    app = create_app({"db_url": db_url, "seed": seed, "max_body_bytes": MAX_BODY})
    store = app.extensions["simulator"].platform.store
    client = app.test_client()
    state = load_world(client)
    gen = Generator(seed, state)
    current = fingerprint(store.engine)
    for _ in range(n):
        kind, category, raw = gen.request()
        resp = client.post(SERVICE, data=raw, content_type="application/json")
        tally.requests += 1
        if resp.status_code >= 500:
            tally.server_errors += 1
            tally.bad("5xx", f"{kind}/{category} {resp.status_code} {resp.data[:200]!r}")
        documented, accepted = envelope_shape(resp)
        if not documented:
            tally.undocumented += 1
            tally.bad("shape", f"{kind}/{category} {resp.status_code} {resp.data[:200]!r}")
        after = fingerprint(store.engine)
        if not accepted and after != current:
            tally.state_changes += 1
            tally.bad("state", f"{kind}/{category} refused but changed the database: {resp.data[:200]!r}")
        current = after
        if accepted:
            try:
                env = json.loads(raw)
            except ValueError:
                env = None
            learn(state, kind, env if isinstance(env, dict) else None, json.loads(resp.data)
                  if resp.content_type.startswith("application/json") else None)
    store.dispose()


def fuzz_openapi(examples: int, seed: int, db_url: str, tally: Tally) -> int:
    """Every OpenAPI operation with schemathesis; returns the number of requests sent."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    app = create_app({"db_url": db_url, "seed": seed, "max_body_bytes": MAX_BODY})
    store = app.extensions["simulator"].platform.store
    client = app.test_client()
    state = load_world(client)
    psn_no, certno = state.people[0]

    def login() -> dict[str, str]:
        """A fresh session for the world's first person, so half the /app examples reach the handlers."""
        reply = client.post("/app/login", json={"psn_no": psn_no, "password": certno[-6:]})
        return {"Authorization": f"Bearer {(reply.json or {})['token']}"}

    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    per_operation = max(1, examples // (2 * len(operations)))
    sent = 0
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @hseed(seed)
            @settings(max_examples=per_operation, database=None, deadline=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def one(case: Any) -> None:
                nonlocal sent
                headers = login() if sent % 2 == 0 and case.path.startswith("/app/") else None
                before = fingerprint(store.engine)
                resp = case.call(headers=headers)
                sent += 1
                tally.requests += 1
                where = f"{case.method} {case.formatted_path}"
                if resp.status_code >= 500:
                    tally.server_errors += 1
                    tally.bad("5xx", f"{where} {resp.status_code} {resp.content[:200]!r}")
                try:
                    case.validate_response(resp, checks=checks)
                    shaped = resp.status_code == 200 or error_shape(resp.json())
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' failure groups; JSON errors
                    shaped = False
                    detail = str(exc)
                else:
                    detail = resp.text[:200]
                if not shaped:
                    tally.undocumented += 1
                    tally.bad("shape", f"{where} {resp.status_code} {detail}")
                if resp.status_code != 200 and fingerprint(store.engine) != before:
                    tally.state_changes += 1
                    tally.bad("state", f"{where} {resp.status_code} refused but changed the database")

            try:
                one()
            except Unsatisfiable:
                pass  # nothing negative to say about an operation without parameters or body
    store.dispose()
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=int(os.environ.get("FUZZ_N") or 2000),
                        help="protocol requests (FUZZ_N)")
    parser.add_argument("--openapi", type=int, default=int(os.environ.get("FUZZ_OPENAPI") or 0),
                        help="OpenAPI requests (FUZZ_OPENAPI; default: a fifth of --n, at least 200)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED") or 12))
    parser.add_argument("--db", default=os.environ.get("FUZZ_DB", ""),
                        help="database URL (default: a fresh SQLite file; a PostgreSQL database is emptied)")
    args = parser.parse_args(argv)
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="yibao-fuzz-") as tmp:
        def db(name: str) -> str:
            return args.db or f"sqlite:///{Path(tmp) / name}"
        if args.db:
            create_app({"db_url": args.db}).extensions["simulator"].platform.admin.reset()
        fuzz_protocol(args.n, args.seed, db("protocol.sqlite"), tally)
        protocol = tally.requests
        if args.db:
            create_app({"db_url": args.db}).extensions["simulator"].platform.admin.reset()
        openapi = fuzz_openapi(args.openapi or max(200, args.n // 5), args.seed, db("openapi.sqlite"), tally)
    for example in tally.examples:
        print("  " + example)
    print(tally.line(args.seed, protocol, openapi, time.monotonic() - started), flush=True)
    return 0 if tally.clean else 1


