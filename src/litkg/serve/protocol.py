"""The HTTP/1.1 protocol ``litkg serve`` runs under uvicorn: uvicorn's own h11 protocol,
except that a request whose head passes h11's limit (16 KB by default: a 1 MB header,
say) gets ``431 Request Header Fields Too Large``, as h11 itself advises, instead of
uvicorn's catch-all 400. uvicorn offers no hook for this; the subclass only remembers
the status h11 suggests and answers with it."""

from __future__ import annotations

from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderLimitProtocol(H11Protocol):
    """uvicorn's h11 protocol, answering 431 to request heads over the limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._status_hint = 400
        next_event = self.conn.next_event

        def remembered() -> Any:
            try:
                return next_event()
            except h11.RemoteProtocolError as exc:
                self._status_hint = exc.error_status_hint
                raise

        setattr(self.conn, "next_event", remembered)  # noqa: B010 (a method of this one connection)

    def send_400_response(self, msg: str) -> None:
        if self._status_hint != 431:
            super().send_400_response(msg)
            return
        body = b"the request's header fields are too large (at most 16 KB in all)\n"
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=431, headers=headers, reason=b"Request Header Fields Too Large"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
