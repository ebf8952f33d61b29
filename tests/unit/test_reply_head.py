"""The reply head the transport reads without the email package (pos_plugin/platform/transport.py, `Reply`): for the
same bytes it answers what http.client's own response answers — status, every header http.client and the
transport ask for, the body (length, chunked, read to close), keep-alive or close."""

from __future__ import annotations

import http.client
import io

import pytest

from pos_plugin.platform.transport import Reply, ReplyHead

BODY = b'{"infcode":0,"output":{"setlinfo":{"setl_id":"S1"}}}'


class Wire:
    """The bytes a socket would give (http.client reads a reply through `makefile`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self.data)


def chunked(body: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"


REPLIES = {
    "length, keep-alive": b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY),
    "chunked, mixed case, repeated and folded": b"HTTP/1.1 200 OK\r\ntransfer-ENCODING: chunked\r\n"
                          b"X-Trace: a\r\nX-Trace: b\r\nContent-Type: application/json;\r\n charset=utf-8\r\n\r\n"
                          + chunked(BODY),
    "close": b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 5\r\n\r\noops!",
    "HTTP/1.0 without a length": b"HTTP/1.0 200 OK\r\nContent-Type: application/zip\r\n\r\n" + BODY,
    "HTTP/1.0 keep-alive": b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
    "100 continue first": b"HTTP/1.1 100 Continue\r\nX-Skip: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "no content": b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
    "negative length": b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\nConnection: close\r\n\r\nabc",
}


@pytest.mark.parametrize("name", list(REPLIES))
def test_a_reply_reads_as_http_client_reads_it(name: str) -> None:
    ours, stock = Reply(Wire(REPLIES[name])), http.client.HTTPResponse(Wire(REPLIES[name]))  # type: ignore[arg-type]
    ours.begin()
    stock.begin()
    assert (ours.status, ours.reason, ours.version, ours.will_close, ours.length) == \
        (stock.status, stock.reason, stock.version, stock.will_close, stock.length)
    for field in ("Content-Type", "content-length", "Transfer-Encoding", "X-Trace", "Connection", "Missing"):
        # a folded field: the email package keeps the line break, the reply head one space
        assert ours.getheader(field, "") == " ".join(stock.getheader(field, "").split()), field
    assert ours.read() == stock.read()


def test_a_line_that_is_no_field_is_ignored_and_the_block_ends_at_the_blank_line() -> None:
    head = ReplyHead([b"Content-Length: 2\r\n", b"not a field\r\n", b" folded onto nothing\r\n", b": no name\r\n",
                      b"\r\n", b"After: the end\r\n"])
    assert head.items() == [("content-length", "2")]
    assert head.get("AFTER") is None and head.get_all("after", []) == []


def test_an_unknown_protocol_is_refused_as_http_client_refuses_it() -> None:
    with pytest.raises(http.client.HTTPException):
        Reply(Wire(b"SPDY/3 200 OK\r\n\r\n")).begin()  # type: ignore[arg-type]
