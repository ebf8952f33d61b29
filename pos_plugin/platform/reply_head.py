"""The head of the platform's HTTP reply, read without the email package (part of transport.py's http.client use).

http.client parses every reply's header block with `email.parser`, a general RFC 5322 parser: on the till it was
most of the CPU of reading a reply (issue 19). The platform's replies need only what http.client itself asks of
the headers (Transfer-Encoding, Content-Length, Connection, Keep-Alive) and the Content-Type: `ReplyHead` splits
the same lines (read with http.client's own line and count limits) into fields by lower-case name, keeping every
value of a repeated field in order, a folded line (obs-fold) joined to the field it continues, and ignoring a
line that is no field. Everything else — status line, 100 Continue, chunked bodies, lengths, keep-alive — stays
http.client's, in `Reply.begin` the same steps as `http.client.HTTPResponse.begin`.
"""

from __future__ import annotations

import http.client
from typing import Any

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
