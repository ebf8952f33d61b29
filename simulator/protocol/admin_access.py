"""Who may use `/admin` (and the console's write actions): the admin token, when one is configured.

`serve` refuses to bind beyond loopback without a token, so an open admin API is only ever reachable
from the machine itself. The token travels as `Authorization: Bearer <token>` or `X-Admin-Token`.
"""

from __future__ import annotations

import hmac

from flask import Request

from simulator.domain.refusals import AdminToken

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def presented_token(request: Request) -> str:
    """The admin token the caller sent, or ""."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("X-Admin-Token", "").strip()


def is_admin(request: Request, configured: str) -> bool:
    """True when no token is configured (loopback-only server) or the caller presented the right one."""
    if not configured:
        return True
    return hmac.compare_digest(presented_token(request).encode(), configured.encode())


def require_admin(request: Request, configured: str) -> None:
    if not is_admin(request, configured):
        raise AdminToken()


def check_bind(host: str, admin_token: str) -> None:
    """Refuse to expose an open admin API beyond loopback."""
    if host not in LOOPBACK_HOSTS and not admin_token:
        raise SystemExit(f"yibao-sim: binding {host} exposes /admin; give --admin-token (or YIBAO_SIM_ADMIN_TOKEN)")
