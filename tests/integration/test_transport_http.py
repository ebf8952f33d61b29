"""The platform transport over real sockets on 127.0.0.1: one kept-alive connection per till, a connection the
platform closed while idle opened again (nothing lost, nothing sent twice), a connection dropped mid-request an
ambiguous failure that is never resent, the read timeout as configured, TLS verified against the CA bundle the
environment names, and the environment's proxy (plain and CONNECT), NO_PROXY and no ~/.netrc credentials —
read once, when the transport is built."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pos_plugin.errors import InputError, PlatformTimeout, PlatformUnreachable, TransportError, UnknownOutcome
from pos_plugin.journal import UNKNOWN, Journal
from pos_plugin.platform import HttpTransport, Institution, Operator, PlatformClient, Timeouts

PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
              "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class Platform:
    """An HTTP/1.1 server that keeps connections alive, answers each request with the next scripted action
    ("ok", "drop": read the request and close without a reply, "hang", "close_after": answer, then close the
    connection silently as a keep-alive timeout does) and counts the connections it accepted."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, name: str = "platform") -> None:
        self.script: list[str] = []
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.closed = threading.Event()
        self.release = threading.Event()
        box = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                box.connections += 1
                super().setup()

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                box.received.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)})
                action = box.script.pop(0) if box.script else "ok"
                if action == "drop":
                    self.close_connection = True
                    return
                if action == "hang":
                    box.release.wait(10)
                    self.close_connection = True
                    return
                output: dict[str, Any] = {"by": name, "n": len(box.received)}
                if box.received[-1]["body"].get("infno") == "9001":
                    output["signinoutb"] = {"sign_no": "SIGN0001", "sign_time": "2026-12-07 08:00:00"}
                answer = json.dumps({"infcode": 0, "output": output}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                self.wfile.flush()
                if action == "close_after":
                    self.close_connection = True

            def finish(self) -> None:
                super().finish()
                if self.close_connection:
                    box.closed.set()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        self.port = port
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class TunnelProxy:
    """A CONNECT proxy: answers 200 and pipes bytes both ways; remembers each CONNECT line and its headers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        lines = head.decode().split("\r\n")
        self.requests.append((lines[0], "\n".join(lines[1:])))
        host, port = lines[0].split()[1].rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def stop(self) -> None:
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # a ~/.netrc of the test, never the machine's


@pytest.fixture
def platform() -> Iterator[Platform]:
    server = Platform()
    yield server
    server.stop()


def post(transport: HttpTransport, n: int = 0) -> dict[str, Any]:
    reply: dict[str, Any] = transport.post("/fsi/api/rsfComIfsService/callService", {"infno": "1101", "n": n})
    return reply


def wait_for(flag: Callable[[], bool]) -> None:
    for _ in range(200):
        if flag():
            return
        threading.Event().wait(0.005)
    raise AssertionError("the server never got there")


# --- one connection, kept --------------------------------------------------------------------------------
def test_a_till_keeps_one_connection_for_its_calls(platform: Platform) -> None:
    transport = HttpTransport(platform.url)
    replies = [post(transport, n) for n in range(5)]
    assert [r["output"]["n"] for r in replies] == [1, 2, 3, 4, 5]
    assert platform.connections == 1 and transport.opened == 1
    assert platform.received[0]["headers"]["Host"] == f"127.0.0.1:{platform.port}"
    transport.close()


def test_a_connection_the_platform_closed_while_idle_is_opened_again_and_nothing_is_sent_twice(
        platform: Platform) -> None:
    transport = HttpTransport(platform.url)
    platform.script = ["close_after"]  # the platform's keep-alive timeout ends the connection after this answer
    post(transport, 1)
    wait_for(platform.closed.is_set)
    wait_for(lambda: transport._idle[0].sock is not None and _eof_arrived(transport._idle[0].sock))
    assert post(transport, 2)["output"]["n"] == 2
    assert [r["body"]["n"] for r in platform.received] == [1, 2]  # each request arrived exactly once
    assert platform.connections == 2 and transport.opened == 2


def _eof_arrived(sock: socket.socket) -> bool:
    import select
    return bool(select.select([sock], [], [], 0)[0])


def test_a_connection_dropped_after_the_request_left_is_ambiguous_never_resent_and_not_reused(
        platform: Platform) -> None:
    transport = HttpTransport(platform.url)
    post(transport, 1)
    platform.script = ["drop"]
    with pytest.raises(TransportError) as lost:
        post(transport, 2)
    assert not isinstance(lost.value, PlatformUnreachable)  # it left: the platform may have processed it
    assert [r["body"]["n"] for r in platform.received] == [1, 2]
    assert post(transport, 3)["output"]["n"] == 3  # a new connection for the next call
    assert transport.opened == 2


def test_the_read_timeout_is_the_configured_one_and_a_hung_connection_is_never_reused(platform: Platform) -> None:
    transport = HttpTransport(platform.url, timeouts=Timeouts(connect=1.0, read=0.3))
    post(transport, 1)
    platform.script = ["hang"]
    began = datetime.now()
    with pytest.raises(PlatformTimeout, match="0.3 秒内未响应"):
        post(transport, 2)
    assert 0.25 <= (datetime.now() - began).total_seconds() < 3
    platform.release.set()
    assert post(transport, 3)["output"]["n"] == 3 and transport.opened == 2


def test_a_refused_connection_is_unreachable_nothing_left() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(PlatformUnreachable, match="无法连接医保平台"):
        post(HttpTransport(f"http://127.0.0.1:{port}"))


def test_a_url_that_is_not_a_platform_address_is_refused_at_once() -> None:
    for url in ("platform.example:8080", "ftp://platform.example", "http://"):
        with pytest.raises(InputError, match="医保平台地址"):
            HttpTransport(url)


def test_a_lost_settlement_reply_on_a_kept_connection_is_an_unknown_outcome_in_the_journal(
        platform: Platform, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite", terminal="T1")
    client = PlatformClient.open(platform.url, institution=Institution("P61010300017", "西安康平大药房", "610103"),
                                 operator=Operator("0001", "李收银"), state_path=tmp_path / "state.sqlite",
                                 recorder=journal)
    platform.received.clear()
    client.call("1101", {"data": {}})  # 9001 and 1101 on the one connection
    platform.script = ["drop"]
    with pytest.raises(UnknownOutcome) as lost:
        client.call("2102", {"data": {"psn_no": "P1"}}, psn_no="P1")
    assert journal.get(lost.value.msgid).state == UNKNOWN  # recovery reverses it, as for any lost reply
    assert [r["body"]["infno"] for r in platform.received] == ["9001", "1101", "2102"]  # sent once, not retried
    assert platform.connections == 1
    client.close()
    journal.close()


# --- TLS -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "platform.pem", folder / "platform.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=platform.test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_platform(certificate: tuple[Path, Path]) -> Iterator[Platform]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = Platform(context)
    yield server
    server.stop()


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_https_verifies_against_the_ca_bundle_the_environment_names(
        tls_platform: Platform, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        variable: str) -> None:
    monkeypatch.setenv(variable, str(certificate[0]))
    transport = HttpTransport(tls_platform.url)
    assert [post(transport, n)["output"]["n"] for n in range(3)] == [1, 2, 3]
    assert tls_platform.connections == 1  # one handshake for the three calls
    transport.close()


def test_an_untrusted_certificate_is_unreachable_and_nothing_is_sent(tls_platform: Platform) -> None:
    transport = HttpTransport(tls_platform.url)  # the default bundle (certifi's) does not hold the test CA
    with pytest.raises(PlatformUnreachable, match="证书校验失败"):
        post(transport)
    assert tls_platform.received == []


def test_a_ca_bundle_that_cannot_be_read_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(InputError, match="CA 证书"):
        HttpTransport("https://127.0.0.1:1")


# --- the environment: proxies, NO_PROXY, no netrc, read once ------------------------------------------------
@pytest.fixture
def proxy() -> Iterator[Platform]:
    server = Platform(name="proxy")
    yield server
    server.stop()


def test_the_proxy_the_environment_names_is_used_and_read_once(
        platform: Platform, proxy: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("//", "//clerk:pa%40ss@"))
    transport = HttpTransport(platform.url)
    monkeypatch.delenv("HTTP_PROXY")  # read when the transport was built, not per call
    assert post(transport)["output"]["by"] == "proxy" and post(transport)["output"]["by"] == "proxy"
    first = proxy.received[0]
    assert first["path"] == f"{platform.url}/fsi/api/rsfComIfsService/callService"  # the absolute URI
    assert first["headers"]["Host"] == f"127.0.0.1:{platform.port}"
    assert first["headers"]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"clerk:pa@ss").decode()
    assert platform.received == [] and proxy.connections == 1
    assert post(HttpTransport(platform.url))["output"]["by"] == "platform"  # built without the variable


@pytest.mark.parametrize("exempt", ["intranet.example,127.0.0.1", "intranet.example, 127.0.0.0/8",
                                    "127.0.0.1:{port}", "*"])
def test_no_proxy_sends_the_platform_direct(platform: Platform, proxy: Platform, monkeypatch: pytest.MonkeyPatch,
                                            exempt: str) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", exempt.format(port=platform.port))
    assert post(HttpTransport(platform.url))["output"]["by"] == "platform"
    assert proxy.received == []


def test_all_proxy_applies_when_no_scheme_proxy_is_named(platform: Platform, proxy: Platform,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    assert post(HttpTransport(platform.url))["output"]["by"] == "proxy"


def test_a_proxy_kind_the_transport_cannot_speak_is_refused_at_start_unless_exempt(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://clerk:secret@127.0.0.1:1080")
    with pytest.raises(InputError, match="仅支持 http://") as refused:
        HttpTransport(platform.url)
    assert "secret" not in str(refused.value)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert post(HttpTransport(platform.url))["output"]["by"] == "platform"


def test_https_goes_through_the_proxy_tunnel_and_still_verifies_the_platform(
        tls_platform: Platform, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    tunnel = TunnelProxy()
    try:
        monkeypatch.setenv("HTTPS_PROXY", tunnel.url.replace("//", "//clerk:pw@"))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
        transport = HttpTransport(tls_platform.url)
        assert [post(transport, n)["output"]["n"] for n in range(2)] == [1, 2]
        ((line, headers),) = tunnel.requests  # one tunnel for both calls
        assert line.startswith(f"CONNECT 127.0.0.1:{tls_platform.port} ")
        assert "Proxy-Authorization: Basic " + base64.b64encode(b"clerk:pw").decode() in headers
        transport.close()
    finally:
        tunnel.stop()


def test_no_credentials_from_netrc_are_sent(platform: Platform, tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login clerk password secret\n", encoding="utf-8")
    (tmp_path / ".netrc").chmod(0o600)
    post(HttpTransport(platform.url))
    assert "Authorization" not in platform.received[0]["headers"]
