"""HTTP to the platform (the only module that speaks HTTP to it: http.client and ssl of the standard library)
and the transport failure mapping.

    could not connect (refused, DNS, connect timeout,   -> PlatformUnreachable  (the request never left)
      proxy refused the tunnel, certificate not trusted)
    no reply within the read timeout                    -> PlatformTimeout      (maybe processed)
    connection dropped after sending                    -> TransportError       (maybe processed)
    HTTP 401/403 (x-tif gateway refused the caller)     -> GatewayRejected      (never processed)
    any other HTTP status than 200                      -> HttpStatusError      (maybe processed)
    a body that is not JSON                             -> BadReply             (maybe processed)

No retry happens here: the client decides per transaction what is safe to repeat.

One kept-alive HTTP/1.1 connection per transport (per till), opened on first use and reused, so a sale pays
no connection, TLS or per-request setup (docs/protocol.md §1, "The till's connection"). Before a kept connection is
written to it is checked: one the platform closed while idle (its keep-alive timeout) is readable or gone,
and is opened again — nothing was sent on it. A connection that breaks once the request was written is a
TransportError as before, and is never written to again. Concurrent callers (the agent's threads) each take
a connection of their own from a small idle pool. The environment (proxy, CA bundle) is read once, here
(pos_plugin/platform/http_env.py).
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pos_plugin.errors import (
    GatewayRejected,
    HttpStatusError,
    PlatformError,
    PlatformTimeout,
    PlatformUnreachable,
    TransportError,
)
from pos_plugin.platform import wire
from pos_plugin.platform.http_env import platform_endpoint, proxy_for, tls_context
from pos_plugin.platform.tif import TifCredentials

CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
QR_CODE_QUERY = "/localcfc/api/hsecfc/localQrCodeQuery"
FILE_TYPES = frozenset({"application/octet-stream", "application/zip", "application/x-zip-compressed"})
USER_AGENT = "yibao-pos/0.1"
IDLE_KEPT = 4  # idle connections kept for concurrent callers; a till alone uses one


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP connection and then for the reply."""

    connect: float = 3.0
    read: float = 20.0


@dataclass(frozen=True)
class Response:
    """A whole HTTP answer: its status, its Content-Type and its body."""

    status: int
    content_type: str
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class HttpTransport:
    """POSTs JSON bodies to the platform and returns the parsed JSON reply (decimals exact)."""

    def __init__(self, base_url: str, *, timeouts: Timeouts | None = None, tif: TifCredentials | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.tif = tif
        self.scheme, self.target, self._prefix = platform_endpoint(self.base_url)
        self.proxy = proxy_for(self.scheme, self.target)
        self._tls = tls_context() if self.scheme == "https" else None
        host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host  # an IPv6 literal
        default = 443 if self.scheme == "https" else 80
        self._host = host if self.target.port == default else f"{host}:{self.target.port}"
        # a plain HTTP proxy takes the absolute URI; a tunnel (CONNECT) and a direct connection the path
        self._absolute = f"http://{self._host}" if self.proxy is not None and self._tls is None else ""
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self.opened = 0  # connections opened so far (tests and the benchmark read it)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """Send one request and return its JSON (or, for a file download, the file's bytes);
        raise a PlatformError subclass on any transport failure."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.tif is not None:
            headers.update(self.tif.headers())
        response = self._send(path, wire.dumps(body), headers)
        if response.status in (401, 403):
            raise GatewayRejected(_gateway_message(response), status=response.status)
        if response.status != 200:
            raise HttpStatusError(
                f"医保平台网关返回 HTTP {response.status}", status=response.status, body=response.text[:500]
            )
        if response.content_type in FILE_TYPES:
            return response.content
        return wire.loads(response.content)

    def probe(self) -> None:
        """Is the platform there? One GET of the service URL, no envelope: any HTTP answer (the platform says
        405) means reachable and nothing was processed; otherwise the transport error, as for a request."""
        self._send(CALL_SERVICE, None, {}, method="GET", read=min(self.timeouts.read, 5.0))

    def close(self) -> None:
        """Close the kept connections (the transport opens a new one if it is used again)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # --- one exchange ------------------------------------------------------------------------------
    def _send(self, path: str, data: bytes | None, headers: dict[str, str], *, method: str = "POST",
              read: float | None = None) -> Response:
        url = self.base_url + path
        conn = self._take() or self._open(url)
        timeout = read or self.timeouts.read
        try:
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            headers["User-Agent"] = USER_AGENT
            headers["Host"] = self._host
            if self.proxy is not None and self.proxy.auth and self._tls is None:
                headers["Proxy-Authorization"] = _basic(self.proxy.auth)
            conn.request(method, self._absolute + self._prefix + path, body=data, headers=headers)
            answer = conn.getresponse()
            response = Response(answer.status, _media_type(answer.getheader("Content-Type", "")), answer.read())
        except TimeoutError as exc:
            conn.close()
            raise PlatformTimeout(f"医保平台 {timeout:g} 秒内未响应") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError(f"与医保平台的连接中断: {exc.__class__.__name__}") from exc
        except BaseException:
            conn.close()
            raise
        if answer.will_close or conn.sock is None:
            conn.close()
        else:
            self._give(conn)
        return response

    def _take(self) -> http.client.HTTPConnection | None:
        """An idle kept connection the platform has not closed meanwhile, or None."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if conn.sock is not None and not _readable(conn.sock):
                return conn
            conn.close()  # closed by the platform while idle (or it sent what nobody asked for): nothing sent

    def _give(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < IDLE_KEPT:
                self._idle.append(conn)
                return
        conn.close()

    def _open(self, url: str) -> http.client.HTTPConnection:
        """A new connection (TCP, the proxy's tunnel, TLS) within the connect timeout."""
        via = self.proxy or self.target
        conn: http.client.HTTPConnection
        if self._tls is not None:
            conn = http.client.HTTPSConnection(via.host, via.port, timeout=self.timeouts.connect, context=self._tls)
            if self.proxy is not None:
                tunnel = {"Proxy-Authorization": _basic(self.proxy.auth)} if self.proxy.auth else None
                conn.set_tunnel(self.target.host, self.target.port, headers=tunnel)
        else:
            conn = http.client.HTTPConnection(via.host, via.port, timeout=self.timeouts.connect)
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise PlatformUnreachable(f"连接医保平台超时: {url}") from exc
        except ssl.SSLError as exc:
            conn.close()
            raise PlatformUnreachable(f"医保平台的证书校验失败（未发送任何请求）: {url}: {exc.reason or exc}") from exc
        except OSError as exc:  # refused, DNS, unreachable network, the proxy refused the tunnel
            conn.close()
            raise PlatformUnreachable(f"无法连接医保平台: {url}") from exc
        assert conn.sock is not None
        conn.response_class = Reply  # the reply's header block without the email package (below)
        if conn.sock.family in (socket.AF_INET, socket.AF_INET6):
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.opened += 1
        return conn


def _readable(sock: socket.socket) -> bool:
    """True when an idle connection has something to read: the platform closed it (or broke the protocol)."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip()


def _basic(auth: str) -> str:
    return "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")


def _gateway_message(response: Response) -> str:
    """The gateway's own words when it sent an envelope or a JSON error, else the status."""
    try:
        body = wire.loads(response.content)
    except PlatformError:
        body = None
    if isinstance(body, dict):
        text = body.get("err_msg") or body.get("message")
        if text:
            return f"医保网关拒绝访问（HTTP {response.status}）：{text}"
    return f"医保网关拒绝访问（HTTP {response.status}）"


# --- the reply's head, read without the email package -------------------------------------------------------
# http.client parses every reply's header block with `email.parser`, a general RFC 5322 parser: on the till it was
# most of the CPU of reading a reply (issue 19). The platform's replies need only what http.client itself asks of
# the headers (Transfer-Encoding, Content-Length, Connection, Keep-Alive) and the Content-Type: `ReplyHead` splits
# the same lines (read with http.client's own line and count limits) into fields by lower-case name, keeping every
# value of a repeated field in order, a folded line (obs-fold) joined to the field it continues, and ignoring a
# line that is no field. Everything else (status line, 100 Continue, chunked bodies, lengths, keep-alive) stays
# http.client's, in `Reply.begin` the same steps as `http.client.HTTPResponse.begin`.
_END = (b"\r\n", b"\n", b"")


class ReplyHead:
    """The header fields of one reply, as `http.client.HTTPMessage` answers `get` and `get_all`."""

    __slots__ = ("_fields",)

    def __init__(self, lines: list[bytes]) -> None:
        fields: dict[str, list[str]] = {}
        last: list[str] | None = None
        for raw in lines:
            if raw in _END:
                break
            line = raw.decode("iso-8859-1").rstrip("\r\n")
            if line[:1] in (" ", "\t"):  # obs-fold: the previous field goes on
                if last:
                    last[-1] = f"{last[-1]} {line.strip()}"
                continue
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                last = None
                continue
            last = fields.setdefault(name.lower(), [])
            last.append(value.strip())
        self._fields = fields

    def get(self, name: str, default: Any = None) -> Any:
        values = self._fields.get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str, default: Any = None) -> Any:
        return list(self._fields[name.lower()]) if name.lower() in self._fields else default

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name, values in self._fields.items() for value in values]


class Reply(http.client.HTTPResponse):
    """http.client's response with `ReplyHead` for its headers (the connection's `response_class`)."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:  # a 100 Continue and its headers are skipped
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = ReplyHead(http.client._read_headers(self.fp))
        encoding = self.headers.get("transfer-encoding")
        self.chunked = bool(encoding and encoding.lower() == "chunked")
        self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) or 100 <= status < 200 \
                or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True
