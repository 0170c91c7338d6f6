"""The HTTP protocol ``veille serve`` runs: uvicorn's h11 protocol with Nagle's algorithm off.

With ``--workers N`` uvicorn hands each worker a listening socket rebuilt from a file
descriptor, whose protocol number asyncio does not recognise as TCP, so it leaves Nagle on
for the connections accepted there. A response then waits for the client's delayed ACK
on every kept-alive connection: about 40 ms per request (measured with bench_api.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "veille.api.nodelay:NoDelayH11Protocol"  # uvicorn.run(http=...)


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
