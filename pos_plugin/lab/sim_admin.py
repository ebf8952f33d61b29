"""Client of the simulator's admin API (testers' tools: reset, load a world, balances, e-vouchers, faults).

Only the lab (scenario runner, demo), the bench and tests use it; a real platform has no such API. It
speaks HTTP (requests: the only user of it in pos_plugin; the till speaks to the platform through
pos_plugin/platform/transport.py, on http.client), reads money with
pos_plugin.platform.wire, and never imports the simulator.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import requests

from pos_plugin.errors import PlatformError, PlatformUnreachable
from pos_plugin.platform import wire


class SimulatorAdmin:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def reset(self) -> None:
        self._call("POST", "/admin/reset")

    def load_world(self, world: Mapping[str, Any]) -> dict[str, Any]:
        """Load a scenario or world file; returns handles -> psn_no, pools -> pool_id, card_sn."""
        return dict(self._call("POST", "/admin/world", world))

    def balances(self) -> dict[str, dict[str, Decimal]]:
        raw = self._call("GET", "/admin/balances")
        return {kind: {key: wire.to_money(value, kind) for key, value in (raw.get(kind) or {}).items()}
                for kind in ("accounts", "pools", "wallets")}

    def evoucher(self, psn_no: str) -> tuple[str, bytes]:
        """A fresh e-voucher code for the person and its QR image (PNG bytes)."""
        reply = self._call("POST", "/admin/evouchers", {"psn_no": psn_no})
        return str(reply["code"]), base64.b64decode(reply["png_base64"])

    def set_clock(self, now: str) -> None:
        self._call("POST", "/admin/clock", {"now": now})

    def advance_clock(self, seconds: int) -> None:
        self._call("POST", "/admin/clock/advance", {"seconds": seconds})

    def arm_fault(self, infno: str, kind: str, *, count: int = 1, message: str = "", delay_ms: int = 0) -> None:
        self._call("POST", "/admin/faults", {"infno": infno, "kind": kind, "count": count, "message": message,
                                             "delay_ms": delay_ms})

    def clear_faults(self) -> None:
        self._call("DELETE", "/admin/faults")

    def update_catalogue(self, entries: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Add or replace catalogue entries (their 1312 version becomes the platform's now)."""
        return dict(self._call("POST", "/admin/catalogue", {"entries": entries}))

    def review_mappings(self, fixmedins_code: str, items: list[str], chk_stas: str, chk_memo: str = "") -> list[Any]:
        """The platform's review of uploaded 目录对照 rows: approve (`1`) or reject (`2`, saying why)."""
        body = {"fixmedins_code": fixmedins_code, "items": items, "chk_stas": chk_stas}
        result = self._call("POST", "/admin/mappings/review", body | ({"chk_memo": chk_memo} if chk_memo else {}))
        return list(result["mappings"])

    def uploads(self, fixmedins_code: str) -> dict[str, Any]:
        """The institution's sales uploads (3505/3506) reconciled against its settlements."""
        return dict(self._call("GET", f"/admin/uploads?fixmedins_code={fixmedins_code}"))

    def settlements(self, fixmedins_code: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/admin/settlements?fixmedins_code={fixmedins_code}")["settlements"])

    def conservation(self) -> dict[str, Any]:
        return dict(self._call("GET", "/admin/conservation"))

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        try:
            response = self.session.request(method, self.base_url + path, json=body, timeout=self.timeout)
        except requests.ConnectionError as exc:
            raise PlatformUnreachable(f"无法连接模拟平台: {self.base_url}") from exc
        try:
            data = wire.loads(response.content) if response.content else {}
        except PlatformError:
            data = {}
        if response.status_code >= 400:
            code = data.get("code") if isinstance(data, dict) else None
            raise PlatformError(f"模拟平台管理接口 {path} 失败 (HTTP {response.status_code}): "
                                f"{(data or {}).get('message') if isinstance(data, dict) else response.text[:200]}",
                                admin_code=code)
        return data

    def close(self) -> None:
        self.session.close()
