"""Checkout at a pharmacy through the plain protocol client (tests/simulator/sim_client.py), over HTTP."""

from __future__ import annotations

from typing import Any

from family_api import Api
from sim_client import ProtocolClient, fee_line
from sim_flows import druginfo


def item(code: str, qty: str, price: str) -> dict[str, str]:
    return {"code": code, "qty": qty, "price": price, "name": code}


def till(api: Api, pharmacy: str, area: str) -> ProtocolClient:
    """A signed-in protocol client for one pharmacy."""
    return api.sim.client(pharmacy, area)


def buy(api: Api, pc: ProtocolClient, psn_no: str, items: list[dict[str, str]], presettle: bool = False,
        cert: tuple[str, str] | None = None, **over: Any) -> Any:
    """2101 (presettle) or 2102 for `psn_no`, identified by ID number unless `cert` is given."""
    person = api.get(f"/admin/persons/{psn_no}")
    pc.insuplc = person["insuplc"]
    lines = [fee_line(str(i), it) for i, it in enumerate(items, start=1)]
    body = druginfo(psn_no, cert or ("02", person["certno"]), lines, person["insutype"], **over)
    reply = pc.call("2101" if presettle else "2102", body)
    return reply.output


def legs(output: Any) -> list[tuple[str, Any, str, str]]:
    return [(leg["source"], leg["rank"], leg["psn_no"], leg["amount"]) for leg in output["payleg"]]
