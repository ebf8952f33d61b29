"""HTTP to the platform (the only module that imports requests) and the transport failure mapping.

    could not connect (refused, DNS, connect timeout)  -> PlatformUnreachable  (the request never left)
    no reply within the read timeout                   -> PlatformTimeout      (maybe processed)
    connection dropped after sending                   -> TransportError       (maybe processed)
    HTTP 401/403 (x-tif gateway refused the caller)    -> GatewayRejected      (never processed)
    any other HTTP status than 200                     -> HttpStatusError      (maybe processed)
    a body that is not JSON                            -> BadReply             (maybe processed)

No retry happens here: the client decides per transaction what is safe to repeat.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from pos_plugin.errors import (
    GatewayRejected,
    HttpStatusError,
    PlatformError,
    PlatformTimeout,
    PlatformUnreachable,
    TransportError,
)
from pos_plugin.platform import wire
from pos_plugin.platform.tif import TifCredentials

CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
QR_CODE_QUERY = "/localcfc/api/hsecfc/localQrCodeQuery"
FILE_TYPES = frozenset({"application/octet-stream", "application/zip", "application/x-zip-compressed"})


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP connection and then for the reply."""

    connect: float = 3.0
    read: float = 20.0


class HttpTransport:
    """POSTs JSON bodies to the platform and returns the parsed JSON reply (decimals exact)."""

    def __init__(self, base_url: str, *, timeouts: Timeouts | None = None, tif: TifCredentials | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.tif = tif
        self.session = requests.Session()
        # The environment (proxies, CA bundle) is read once here: with trust_env requests re-reads and
        # re-parses every proxy variable on every call, a large share of the till's CPU per sale.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.session.verify = bundle
        self.session.mount("http://", HTTPAdapter(max_retries=0))
        self.session.mount("https://", HTTPAdapter(max_retries=0))

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """Send one request and return its JSON (or, for a file download, the file's bytes);
        raise a PlatformError subclass on any transport failure."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.tif is not None:
            headers.update(self.tif.headers())
        response = self._send(self.base_url + path, wire.dumps(body), headers)
        if response.status_code in (401, 403):
            raise GatewayRejected(_gateway_message(response), status=response.status_code)
        if response.status_code != 200:
            raise HttpStatusError(
                f"医保平台网关返回 HTTP {response.status_code}", status=response.status_code, body=response.text[:500]
            )
        if response.headers.get("Content-Type", "").split(";")[0].strip() in FILE_TYPES:
            return response.content
        return wire.loads(response.content)

    def probe(self) -> None:
        """Is the platform there? One GET of the service URL, no envelope: any HTTP answer (the platform says
        405) means reachable and nothing was processed; otherwise the transport error, as for a request."""
        self._send(self.base_url + CALL_SERVICE, None, {}, method="GET", read=min(self.timeouts.read, 5.0))

    def _send(self, url: str, data: bytes | None, headers: dict[str, str], *, method: str = "POST",
              read: float | None = None) -> requests.Response:
        try:
            return self.session.request(method, url, data=data, headers=headers,
                                        timeout=(self.timeouts.connect, read or self.timeouts.read))
        except requests.ConnectTimeout as exc:
            raise PlatformUnreachable(f"连接医保平台超时: {url}") from exc
        except requests.ReadTimeout as exc:
            raise PlatformTimeout(f"医保平台 {self.timeouts.read:g} 秒内未响应") from exc
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise PlatformUnreachable(f"无法连接医保平台: {url}") from exc
            raise TransportError(f"与医保平台的连接中断: {exc.__class__.__name__}") from exc
        except requests.RequestException as exc:
            raise TransportError(f"与医保平台通信失败: {exc}") from exc

    def close(self) -> None:
        self.session.close()


def _never_connected(exc: requests.ConnectionError) -> bool:
    """True when the TCP connection was never made (so no byte of the request left)."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, ConnectTimeoutError | ConnectionRefusedError)


def _gateway_message(response: requests.Response) -> str:
    """The gateway's own words when it sent an envelope or a JSON error, else the status."""
    try:
        body = wire.loads(response.content)
    except PlatformError:
        body = None
    if isinstance(body, dict):
        text = body.get("err_msg") or body.get("message")
        if text:
            return f"医保网关拒绝访问（HTTP {response.status_code}）：{text}"
    return f"医保网关拒绝访问（HTTP {response.status_code}）"
