"""`veille serve --workers N`: N server processes, each listening on the port itself.

uvicorn's own workers share one listening socket: the first process to wake up takes every
connection waiting, so a burst of new connections (a dashboard opening its pages, 8
clients starting at once) lands on one worker and leaves the other cores idle for as long
as those connections are kept alive (measured: 7 of 8 on one of two workers). Here each
worker binds its own socket with ``SO_REUSEPORT`` and the kernel shares new connections
out among them by their addresses, whichever process is awake.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from typing import Any

BACKLOG = 2048  # uvicorn's default


def supported() -> bool:
    """Whether the kernel shares connections among sockets bound with SO_REUSEPORT."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(BACKLOG)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = _listen(host, port)
    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


def check_port(host: str, port: int) -> None:
    """OSError when something listens on the port already (a plain bind, without
    SO_REUSEPORT, fails then: two servers never share a port by mistake)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host.strip("[]"), port))


def serve(host: str, port: int, processes: int, options: dict[str, Any]) -> int:
    """Run ``processes`` uvicorn servers with ``options`` (``uvicorn.Config`` keywords,
    an import string for the app) until SIGINT or SIGTERM; returns an exit status."""
    check_port(host, port)
    spawn = multiprocessing.get_context("spawn")  # the app is imported afresh in each
    children = [
        spawn.Process(target=_worker, args=(host, port, options), name=f"veille-serve-{i}")
        for i in range(processes)
    ]
    for child in children:
        child.start()

    asked: list[int] = []

    def stop(signum: int, frame: Any) -> None:
        asked.append(signum)
        for child in children:
            if child.is_alive():
                child.terminate()  # each server shuts down gracefully on SIGTERM

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while all(child.is_alive() for child in children):
            children[0].join(timeout=0.5)
        failed = not asked  # a worker stopped by itself: stop the others, report it
        stop(signal.SIGTERM, None)
        for child in children:
            child.join(timeout=30)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # uvicorn ends on the signal it was sent once it has shut down: not a failure
    return 1 if failed else 0
