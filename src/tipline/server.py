"""Serving: uvicorn in one process, or several processes sharing a port with SO_REUSEPORT.

With SO_REUSEPORT every process has its own listening socket and the kernel spreads new
connections across them evenly. (uvicorn's own --workers shares one socket, and with long-lived
keep-alive connections one process could end up holding most of them: bench/intake.py saw one
worker at 100% CPU and the other idle.)
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import socket
from types import FrameType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from tipline.app import create_app
from tipline.config import Settings


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: ASGIApp, host: str, port: int, **options: Any) -> uvicorn.Config:
    """uvicorn as tipline runs it (and the tests' live server)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        # uvicorn would otherwise believe X-Forwarded-For and X-Forwarded-Proto from 127.0.0.1
        # and ::1 (or $FORWARDED_ALLOW_IPS): any local caller could pick its own address. The
        # app reads them itself, from TIPLINE_TRUSTED_PROXIES only (web/forwarded.py).
        proxy_headers=False,
        **options,
    )


def run_one(settings: Settings, host: str, port: int, *, reuse_port: bool = False) -> None:
    config = uvicorn_config(create_app(settings), host, port, log_level="info")
    server = uvicorn.Server(config)
    if reuse_port:
        server.run(sockets=[listening_socket(host, port)])
    else:
        server.run()


def die_with_parent() -> None:
    """Ask Linux to stop this process when its parent dies, however the parent dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the parent's signal handler still stops us
        pass


def _child(settings: Settings, host: str, port: int) -> None:
    die_with_parent()
    run_one(settings, host, port, reuse_port=True)


def run_many(settings: Settings, host: str, port: int, workers: int) -> None:
    """`workers` server processes on one port; returns when all have stopped."""
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_child, args=(settings, host, port), name=f"tipline-serve-{i}")
        for i in range(workers)
    ]
    for child in children:
        child.start()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive() and child.pid is not None:
                child.terminate()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
