"""Slow clients, as a slowloris attack makes them: connections that stall half-way through
a request's headers, and connections that send a request one byte a second.

Bounded: only loopback addresses (127.0.0.0/8) are ever connected to or from, the attack
ends when its block ends or after `max_seconds`, and at most `max_connections` sockets are
opened in all (a connection the server drops is opened again, as an attacker would).
"""

import contextlib
import http.client
import ipaddress
import itertools
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
# Headers that never end: the blank line that would complete them is never sent.
STALLED_REQUEST = b"POST /count/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n"
# Sent one byte a second; long enough to outlast any hold of the tests.
TRICKLED_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
TICK_SECONDS = 1.0


def _loopback(address: str) -> str:
    if ipaddress.ip_address(address) not in LOOPBACK:
        raise ValueError(f"{address} is not a loopback address: slow clients stay on 127.0.0.0/8")
    return address


@dataclass
class _Connection:
    sock: socket.socket
    trickle: bool
    sent: int = 0


class SlowClients:
    """`stalled` connections that send half a request's headers and wait, and `trickling`
    ones that send a request a byte a second, to `host`:`port`, from `sources` in turn."""

    def __init__(
        self,
        host: str,
        port: int,
        stalled: int,
        trickling: int,
        sources: Sequence[str] = ("127.0.0.1",),
        max_seconds: float = 60.0,
        max_connections: int = 1000,
    ) -> None:
        self.target = (_loopback(host), port)
        self.sources = itertools.cycle([_loopback(s) for s in sources])
        self.wanted = [False] * stalled + [True] * trickling
        self.max_seconds = max_seconds
        self.max_connections = max_connections
        self.opened = 0
        self.dropped = 0
        self.peak_open = 0
        self._open: list[_Connection | None] = [None] * len(self.wanted)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.max_seconds + 10)

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                for slot, trickle in enumerate(self.wanted):
                    self._tend(slot, trickle)
                self.peak_open = max(self.peak_open, sum(c is not None for c in self._open))
                self._stop.wait(TICK_SECONDS)
        finally:
            for connection in self._open:
                if connection is not None:
                    connection.sock.close()

    def _tend(self, slot: int, trickle: bool) -> None:
        connection = self._open[slot]
        if connection is not None and not self._still_open(connection):
            connection.sock.close()
            self._open[slot] = connection = None
            self.dropped += 1
        if connection is None:
            connection = self._connect(trickle)
            self._open[slot] = connection
            if connection is None:
                return
        if trickle and connection.sent < len(TRICKLED_REQUEST):
            try:
                connection.sock.send(TRICKLED_REQUEST[connection.sent : connection.sent + 1])
                connection.sent += 1
            except OSError:
                pass  # noticed as dropped on the next tick

    def _connect(self, trickle: bool) -> _Connection | None:
        if self.opened >= self.max_connections:
            return None
        self.opened += 1
        try:
            sock = socket.create_connection(self.target, 2, (next(self.sources), 0))
        except OSError:
            return None
        sock.setblocking(False)
        if not trickle:
            # A failed send is noticed as a dropped connection on the next tick.
            with contextlib.suppress(OSError):
                sock.send(STALLED_REQUEST)
        return _Connection(sock, trickle)

    @staticmethod
    def _still_open(connection: _Connection) -> bool:
        # Nothing to read yet means the server still waits for the rest; an end of stream,
        # a reset or an answer (a 408, say) means it gave up on this one.
        try:
            return not connection.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return True
        except OSError:
            return False


@contextlib.contextmanager
def slow_clients(
    host: str,
    port: int,
    stalled: int,
    trickling: int,
    sources: Sequence[str] = ("127.0.0.1",),
    max_seconds: float = 60.0,
) -> Iterator[SlowClients]:
    """Slow clients against `host`:`port` for as long as the block runs (at most
    `max_seconds`); every connection is closed at the end."""
    attack = SlowClients(host, port, stalled, trickling, sources, max_seconds)
    attack.start()
    try:
        yield attack
    finally:
        attack.stop()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float


def request_from(
    source: str,
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    timeout: float = 1.0,
) -> Answer:
    """One request to 127.0.0.1:`port` from the loopback address `source`; raises
    TimeoutError when no answer comes within `timeout` seconds."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(_loopback(source), 0)
    )
    started = time.monotonic()
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return Answer(response.status, response.headers, body, time.monotonic() - started)
    finally:
        connection.close()


def raw_request(port: int, data: bytes, timeout: float = 5.0) -> Answer:
    """Send `data` as it is (a malformed or oversize request) to 127.0.0.1:`port`, and read
    the answer."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return Answer(response.status, response.headers, body, time.monotonic() - started)
