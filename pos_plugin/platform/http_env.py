"""What the environment says about reaching the platform, read once when the transport is built: the proxy
(HTTP_PROXY / HTTPS_PROXY / ALL_PROXY, NO_PROXY) and the CA bundle that verifies the platform's certificate
(REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, else certifi's bundle, else the system's) — the same variables, and the
same defaults, as the requests stack this transport replaced honoured (docs/protocol.md §1, "The till's connection").

Reading them once matters: re-reading and re-parsing every proxy variable on every call was a large share of
the till's CPU per sale. A terminal started with other variables must be started again to see them.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from pos_plugin.errors import InputError

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    """A host to open a TCP connection to, and the credentials it wants (a proxy's user:password)."""

    host: str
    port: int
    auth: str = ""  # "user:password", sent as Proxy-Authorization: Basic


def platform_endpoint(base_url: str) -> tuple[str, Endpoint, str]:
    """(scheme, host and port, path prefix) of the platform's base URL; a URL that cannot be one is refused."""
    parts = urlsplit(base_url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InputError(f"医保平台地址应为 http:// 或 https:// 开头的完整地址: {base_url!r}")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise InputError(f"医保平台地址的端口无效: {base_url!r}") from exc
    return parts.scheme, Endpoint(parts.hostname, port), parts.path.rstrip("/")


def proxy_for(scheme: str, target: Endpoint) -> Endpoint | None:
    """The HTTP proxy the environment names for `scheme` (or ALL_PROXY), None when there is none or NO_PROXY
    exempts the host. Only http:// proxies are spoken (plain for http, CONNECT for https); another kind the
    environment names for this platform is refused here, at start, not on the first sale."""
    proxies = urllib.request.getproxies()
    url = proxies.get(scheme) or proxies.get("all")
    if not url or _bypassed(target, proxies.get("no", "")):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = parts.port or 80
    except ValueError:
        port = 0
    if parts.scheme != "http" or not parts.hostname or not port:
        raise InputError(f"不支持的代理设置（仅支持 http://主机:端口 形式的代理）: {_without_password(parts)}")
    auth = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}" if parts.username else ""
    return Endpoint(parts.hostname, port, auth)


def _bypassed(target: Endpoint, no_proxy: str) -> bool:
    """NO_PROXY as requests read it: an entry that ends the host (or host:port), an IP network holding an
    IP host, or what the standard library says (`*`, leading dots, the platform's own exceptions)."""
    entries = [entry.strip() for entry in (no_proxy or os.environ.get("NO_PROXY", "")).split(",") if entry.strip()]
    try:
        address = ipaddress.ip_address(target.host)
    except ValueError:
        address = None
    for entry in entries:
        if address is not None and "/" in entry:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif target.host.endswith(entry) or f"{target.host}:{target.port}".endswith(entry):
            return True
    return bool(urllib.request.proxy_bypass(target.host))


def tls_context() -> ssl.SSLContext:
    """Certificates verified, host names checked, against the bundle requests used: REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE (a file or a directory), else certifi's, else the system's store."""
    bundle = ca_bundle()
    if not bundle:
        return ssl.create_default_context()
    try:
        if os.path.isdir(bundle):
            return ssl.create_default_context(capath=bundle)
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"无法读取 CA 证书文件 {bundle}: {exc}") from exc


def ca_bundle() -> str:
    """The CA bundle `tls_context` loads ('' for the system's store)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or _certifi()


def _certifi() -> str:
    try:
        import certifi  # installed with requests; the bundle requests verified against by default
    except ImportError:
        return ""
    return str(certifi.where())


def _without_password(parts: SplitResult) -> str:
    return f"{parts.scheme}://{parts.hostname or ''}"
