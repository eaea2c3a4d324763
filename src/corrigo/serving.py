"""The WSGI application as served: whole request bodies first, then Django (decision 0033).

A client that trickles its body must hold a connection, not the application. Every body
is read into memory before Django sees it, within a deadline and a size limit, and
Django runs in at most `app_threads` threads of a worker at a time: gunicorn's threaded
workers give each connection a thread, so slow connections wait in their own threads
while the application threads keep answering. Chunked bodies are read the same way and
reach Django with a Content-Length, as if the client had sent one.
"""

import heapq
import io
import itertools
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable

READ_SIZE = 64 * 1024


def _refusal(status: str, code: str, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Connection", "close")]
    return status, headers, body


class BodyRefused(Exception):
    def __init__(self, status: str, code: str, message: str):
        super().__init__(message)
        self.answer = _refusal(status, code, message)


def _declared_length(environ: dict) -> int | None:
    """The Content-Length as a number; None for a chunked body; BodyRefused when it is neither."""
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    declared = environ.get("CONTENT_LENGTH", "").strip()
    if chunked:
        return None
    if not declared:
        return 0
    if not (declared.isascii() and declared.isdigit()):
        raise BodyRefused("400 Bad Request", "invalid", "Content-Length is not a number.")
    return int(declared)


class _Watchdog:
    """One thread per process that ends the reading side of connections past their deadline.

    A socket timeout would not do: it limits each wait for data, and a client sending a
    byte a second never makes one wait long. Shutting the reading side down makes the
    blocked read return at once, whatever the client does.
    """

    def __init__(self):
        self._due: list[tuple[float, int, socket.socket]] = []
        self._finished: set[int] = set()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._count = itertools.count()

    def watch(self, sock: socket.socket, deadline: float) -> int:
        number = next(self._count)
        with self._wake:
            if self._thread is None or not self._thread.is_alive():  # none yet, or a fork left it behind
                self._due, self._finished = [], set()
                self._thread = threading.Thread(target=self._run, name="corrigo-body-deadlines", daemon=True)
                self._thread.start()
            heapq.heappush(self._due, (deadline, number, sock))
            if self._due[0][1] == number:
                self._wake.notify()
        return number

    def done(self, number: int) -> None:
        with self._wake:
            self._finished.add(number)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._due and self._due[0][1] in self._finished:
                    self._finished.discard(heapq.heappop(self._due)[1])
                if not self._due:
                    self._wake.wait()
                    continue
                deadline, _number, sock = self._due[0]
                if (wait := deadline - time.monotonic()) > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._due)
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass  # already closed


_watchdog = _Watchdog()


def read_body(environ: dict, limit: int, seconds: float) -> bytes:
    """The whole request body, at most `limit` bytes, within `seconds`; BodyRefused otherwise."""
    length = _declared_length(environ)
    size = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"
    too_large = BodyRefused("413 Content Too Large", "too_large", f"A request body may be at most {size}.")
    if length is not None and length > limit:
        raise too_large
    if length == 0:
        return b""
    stream = environ["wsgi.input"]
    sock = environ.get("gunicorn.socket")
    deadline = time.monotonic() + seconds
    watched = _watchdog.watch(sock, deadline) if isinstance(sock, socket.socket) else None
    wanted = limit + 1 if length is None else length
    parts, received = [], 0
    try:
        while received < wanted:
            part = stream.read(min(READ_SIZE, wanted - received))
            if not part:
                break
            parts.append(part)
            received += len(part)
    except Exception as exc:  # the reading side shut at the deadline, a broken chunked encoding, a reset
        if time.monotonic() >= deadline:
            received = -1
        else:
            raise BodyRefused(
                "400 Bad Request", "invalid", f"The request body could not be read ({type(exc).__name__})."
            ) from None
    finally:
        if watched is not None:
            _watchdog.done(watched)
    if received < 0 or (received < wanted and length is not None and time.monotonic() >= deadline):
        raise BodyRefused(
            "408 Request Timeout", "request_timeout", f"The request body did not arrive within {seconds:g} seconds."
        )
    if received > limit:
        raise too_large
    if length is not None and received < length:
        raise BodyRefused("400 Bad Request", "invalid", "The request body is shorter than its Content-Length.")
    return b"".join(parts)


class BufferedBodies:
    """WSGI middleware: read the body whole, then run the application in one of `app_threads` slots."""

    def __init__(self, application: Callable, *, limit: int, seconds: float, app_threads: int | None = None):
        self.application = application
        self.limit = limit
        self.seconds = seconds
        self.slots = threading.BoundedSemaphore(app_threads) if app_threads else None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            body = read_body(environ, self.limit, self.seconds)
        except BodyRefused as refused:
            status, headers, content = refused.answer
            if environ.get("PATH_INFO") == "/api/v1/reports":
                from corrigo.monitoring import REPORTS_REFUSED

                REPORTS_REFUSED.labels(json.loads(content)["error"]["code"]).inc()
            start_response(status, headers)
            return [content]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if self.slots is None:
            return self.application(environ, start_response)
        with self.slots:
            # The answer is made inside the slot; a streamed one (the desk's CSV) is sent after it.
            return self.application(environ, start_response)


# ---- gunicorn's own refusals --------------------------------------------------

GUNICORN_CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "server_error",
    501: "not_implemented",
}


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error's job (a request gunicorn refused before any app saw it), in the API's shape."""
    from gunicorn import util

    message = f"{reason}: {mesg}" if mesg else reason
    body = json.dumps({"error": {"code": GUNICORN_CODES.get(status_int, "bad_request"), "message": message[:500]}}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


def worker_class(seconds: float):
    """gunicorn's threaded worker, with two changes for the open web and one for speed.

    - What gunicorn itself refuses (a malformed request line, headers too large) is JSON:
      gunicorn writes those answers with gunicorn.util.write_error, looked up when called,
      and each worker process puts ours there once (tests/test_serving.py pins this).
    - Each request on a connection, headers included, must be in within twice `seconds`
      (the body has `seconds` of it): gunicorn reads headers without any deadline, so a
      client sending a header byte now and then would hold its thread for ever.
    - The thread that answered a kept-alive connection waits briefly for its next request
      itself (`_next_request_soon`) instead of handing it back to the main loop each time.
    """
    from gunicorn import util
    from gunicorn.workers.gthread import ThreadWorker

    class CorrigoWorker(ThreadWorker):
        def init_process(self) -> None:
            util.write_error = write_json_error
            super().init_process()

        def handle(self, conn):
            while True:
                # Only the reading side is shut at the deadline: an answer being written still goes out.
                watched = _watchdog.watch(conn.sock, time.monotonic() + 2 * seconds)
                try:
                    keep_alive = super().handle(conn)
                finally:
                    _watchdog.done(watched)
                if keep_alive is not True or not self.alive or not _next_request_soon(conn):
                    return keep_alive  # gunicorn's main loop keeps the connection, or closes it

    return CorrigoWorker


# How long a thread waits on its kept-alive connection for the next request before
# handing the connection back to gunicorn's main loop.
LINGER_SECONDS = 0.5


def _next_request_soon(conn) -> bool:
    """Whether the connection's next request is in, or arrives within LINGER_SECONDS.

    gunicorn hands a kept-alive connection back to its main loop after every answer:
    a pipe write to wake the loop, an epoll registration, a future for the next
    request. For a client sending request after request (a CMS, a burst of reports
    through a proxy's pooled connections) that round trip cost more CPU than Django's
    handling of a health check, so the thread that answered waits for the next one
    itself, briefly. A connection that goes quiet goes back to the main loop, which
    holds idle connections without a thread.
    """
    if conn.parser is not None and conn.parser.unreader.buf.getvalue():
        return True  # read ahead with the last body: the next request is already here
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    try:
        return bool(poller.poll(LINGER_SECONDS * 1000))
    except OSError:
        return False
