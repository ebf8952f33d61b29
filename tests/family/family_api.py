"""A test client for the family app API over real HTTP, and the "refused and nothing changed" check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from sim_client import HttpTransport
from sim_flows import Sim
from sqlalchemy import Engine, select

from simulator.store.tables import metadata

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_NOT_STATE = ("id_counters",  # the id allocator reserves blocks in its own transaction; not business state
              "traffic")  # the request journal records every request, refusals too (written in batches)


def db_dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every simulator table (read through a separate connection to the same database)."""
    with engine.connect() as conn:
        return {table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
                for table in metadata.sorted_tables if table.name not in _NOT_STATE}


_ACTOR_KEYS = ("by", "requested_by", "creator", "from", "guardian")
_PARTY_KEYS = ("funder", "beneficiary", "creator", "psn_no", "from", "minor", "guardian")
_REVIEW = re.compile(r"/app/bindings/(\d+)/(approve|reject)$")
_MEMBERS = re.compile(r"/app/pools/[^/]+/members$")
_PERSON_PATH = re.compile(r"/app/persons/([^/]+)")


@dataclass
class Api:
    """JSON calls to one live simulator; `sim` is the shared admin facade and protocol clients.

    /app calls log in first (app_auth): as `acting_as` when set (`with api.acting(psn_no)`), else as the
    person the call names — `by`, `requested_by`, `creator`, `from`, `guardian`, a binding's
    beneficiary, the person in the path — or, for a review, the agency of the binding's area; else as
    the last person who acted. World people use the default credentials (docs/simulator-api.md): the
    password and face secret are the last 6 characters of the ID number. A body that claims face
    verification gets the parties' face secrets added (`face`), as the app would after the face scan."""

    base: str
    engine: Engine
    session: requests.Session
    tokens: dict[str, str] = field(default_factory=dict)
    acting_as: str | None = None
    last_actor: str | None = None
    areas: dict[int, str] = field(default_factory=dict)  # binding id -> the beneficiary's insured area
    loaded: list[str] = field(default_factory=list)

    @property
    def sim(self) -> Sim:
        return Sim(HttpTransport(self.base, self.session))

    # logging in ----------------------------------------------------------------------------------------
    def person(self, psn_no: str) -> dict[str, Any] | None:
        """The admin view of a person (None if there is no such person)."""
        resp = self.session.get(f"{self.base}/admin/persons/{psn_no}", timeout=30)
        return dict(resp.json()) if resp.status_code == 200 else None

    def secret(self, psn_no: str) -> str | None:
        """The default password / face secret of a world person (None if there is no such person)."""
        found = self.person(psn_no)
        return None if found is None else str(found["certno"])[-6:]

    def login(self, who: str) -> str | None:
        """A bearer token for a psn_no or "agency:<admdvs>" (cached); None if there is no such person."""
        if who not in self.tokens:
            if who.startswith("agency:"):
                body = {"agency": who[7:], "password": f"agency-{who[7:]}"}
            else:
                secret = self.secret(who)
                if secret is None:
                    return None
                body = {"psn_no": who, "password": secret}
            resp = self.session.post(f"{self.base}/app/login", json=body, timeout=30)
            assert resp.status_code == 200, f"login {who}: {resp.status_code} {resp.text}"
            self.tokens[who] = resp.json()["token"]
        return self.tokens[who]

    @contextmanager
    def acting(self, who: str) -> Iterator[None]:
        before, self.acting_as = self.acting_as, who
        try:
            yield
        finally:
            self.acting_as = before

    def _area_of_binding(self, binding_id: int) -> str | None:
        if binding_id not in self.areas:
            for psn_no in self.loaded:  # each beneficiary's own view lists their bindings
                token = self.login(psn_no)
                view = self.session.get(f"{self.base}/app/persons/{psn_no}/funders", timeout=30,
                                        headers={"Authorization": f"Bearer {token}"}).json()
                for found in view.get("bindings", []):
                    self.areas[int(found["binding_id"])] = found["beneficiary"]["insuplc"]
        return self.areas.get(binding_id)

    def _candidates(self, method: str, path: str, body: Any) -> list[str]:
        review = _REVIEW.match(path)
        if review:
            area = self._area_of_binding(int(review.group(1)))
            return [f"agency:{area}"] if area else []
        found: list[str] = []
        if isinstance(body, dict):
            found += [str(body[k]) for k in _ACTOR_KEYS if isinstance(body.get(k), str) and body[k]]
            if path == "/app/bindings":
                found += [str(body[k]) for k in ("beneficiary", "funder") if isinstance(body.get(k), str)]
            if path == "/app/wallets" and isinstance(body.get("psn_no"), str):
                found.append(body["psn_no"])
        person = _PERSON_PATH.match(path)
        if person:
            found.append(person.group(1))
        return found + ([self.last_actor] if self.last_actor else [])

    def auth(self, method: str, path: str, body: Any) -> dict[str, str]:
        """The Authorization header for this call (empty outside /app or when nobody can act)."""
        if not path.startswith("/app/") or path.startswith("/app/login"):
            return {}
        for who in [self.acting_as] if self.acting_as else self._candidates(method, path, body):
            token = self.login(who)
            if token is not None:
                if not who.startswith("agency:"):
                    self.last_actor = who
                return {"Authorization": f"Bearer {token}"}
        return {}

    def with_faces(self, path: str, body: Any) -> Any:
        """Add the parties' face secrets to a body that claims face verification."""
        if not isinstance(body, dict) or "face" in body:
            return body
        claims = body.get("face_verified")
        if not (claims is True or isinstance(claims, dict) or body.get("verification") == "face"
                or path == "/app/guardians"):
            return body
        faces = {p: self.secret(p) for k in _PARTY_KEYS if isinstance(p := body.get(k), str) and p}
        return body | {"face": {p: s for p, s in faces.items() if s is not None}}

    def with_names(self, path: str, body: Any) -> Any:
        """Add the counterparties' full names (`names`) to a request naming one, as a relative who knows
        them would: a binding's two parties, a transfer's `to`, a pool member being added."""
        if not isinstance(body, dict) or "names" in body:
            return body
        keys = {"/app/bindings": ("funder", "beneficiary"), "/app/wallet-transfers": ("to",)}.get(path)
        if keys is None and _MEMBERS.search(path):
            keys = ("psn_no",)
        names = {}
        for key in keys or ():
            if isinstance(p := body.get(key), str) and (found := self.person(p)) is not None:
                names[p] = str(found["name"])
        return body | {"names": names} if names else body

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        body = self.with_names(path, self.with_faces(path, body))
        return self.session.request(method, self.base + path, json=body, timeout=30,
                                    headers=self.auth(method, path, body))

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        resp = self.call(method, path, body)
        assert resp.status_code == 200, f"{method} {path}: {resp.status_code} {resp.text}"
        found = resp.json()
        if path == "/app/bindings" and isinstance(found, dict) and "binding_id" in found:
            beneficiary = self.person(found["beneficiary"]["psn_no"])  # the reply masks the other party
            if beneficiary is not None:
                self.areas[int(found["binding_id"])] = str(beneficiary["insuplc"])
        return found

    def post(self, path: str, body: Any = None) -> Any:
        return self.ok("POST", path, body if body is not None else {})

    def get(self, path: str) -> Any:
        return self.ok("GET", path)

    def refused(self, path: str, body: Any, code: str, status: int = 400) -> str:
        """POST `body`, expect the refusal `code` with a Chinese message, and an unchanged database."""
        body = self.with_names(path, self.with_faces(path, body))
        headers = self.auth("POST", path, body)  # log in first: a login is not the refused request
        before = db_dump(self.engine)
        resp = self.session.request("POST", self.base + path, json=body, timeout=30, headers=headers)
        assert resp.status_code == status, f"{path}: {resp.status_code} {resp.text}"
        reply = resp.json()
        assert reply["code"] == code, reply
        assert _CHINESE.search(reply["message"]), reply
        assert db_dump(self.engine) == before, f"{code}: the database changed on a refusal"
        return str(reply["message"])

    def load(self, world: dict[str, Any]) -> dict[str, str]:
        """Load a world; returns handle -> psn_no (pool and wallet ids under '@pool:<id>')."""
        loaded = self.post("/admin/world", world)
        self.loaded += list(loaded["handles"].values())
        return loaded["handles"] | {f"@pool:{k}": v for k, v in loaded["pools"].items()}

    def clock(self, now: str) -> None:
        self.post("/admin/clock", {"now": now, "frozen": True})

    def balances(self) -> dict[str, dict[str, str]]:
        return dict(self.get("/admin/balances"))

    def conserved(self) -> dict[str, Any]:
        report = self.get("/admin/conservation")
        assert report["ok"] is True and report["difference"] == "0.00", report
        return dict(report)
