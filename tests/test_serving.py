"""corrigo serve reads whole bodies before Django (corrigo.serving): slow, chunked and hostile bodies."""

import io
import json
import socket
import threading

import pytest

from corrigo.serving import BodyRefused, read_body
from tests.conftest import payload
from tests.test_cli import corrigo, corrigo_env, start_server, wait_for

# ---- read_body on its own ---------------------------------------------------


def environ(body: bytes = b"", **headers) -> dict:
    return {"wsgi.input": io.BytesIO(body), **headers}


def refusal(environ_: dict, limit: int = 1000) -> tuple[str, dict]:
    with pytest.raises(BodyRefused) as refused:
        read_body(environ_, limit, seconds=5)
    status, headers, content = refused.value.answer
    assert ("Content-Type", "application/json") in headers
    assert ("Connection", "close") in headers
    return status, json.loads(content)["error"]


def test_a_body_is_read_whole():
    assert read_body(environ(b"x" * 1000, CONTENT_LENGTH="1000"), 1000, seconds=5) == b"x" * 1000


def test_no_content_length_is_an_empty_body():
    assert read_body(environ(b"ignored"), 1000, seconds=5) == b""


@pytest.mark.parametrize("length", ["-1", "1e3", "0x10", " ١٢", "12abc"])
def test_a_content_length_that_is_not_a_number_is_refused(length):
    status, error = refusal(environ(b"{}", CONTENT_LENGTH=length))
    assert (status, error["code"]) == ("400 Bad Request", "invalid")


def test_a_declared_length_over_the_limit_is_refused_unread():
    stream = io.BytesIO(b"x" * 2000)
    status, error = refusal({"wsgi.input": stream, "CONTENT_LENGTH": "1001"})
    assert (status, error["code"]) == ("413 Content Too Large", "too_large")
    assert stream.tell() == 0


def test_a_chunked_body_over_the_limit_is_refused():
    status, error = refusal(environ(b"x" * 5000, HTTP_TRANSFER_ENCODING="chunked"))
    assert (status, error["code"]) == ("413 Content Too Large", "too_large")


def test_a_chunked_body_of_the_limit_is_taken():
    assert read_body(environ(b"x" * 1000, HTTP_TRANSFER_ENCODING="chunked"), 1000, seconds=5) == b"x" * 1000


def test_a_body_shorter_than_its_content_length_is_refused():
    status, error = refusal(environ(b"{}", CONTENT_LENGTH="10"))
    assert (status, error["code"]) == ("400 Bad Request", "invalid")


# ---- under the real server ----------------------------------------------------


def serve(tmp_path_factory, body_seconds: int):
    data = tmp_path_factory.mktemp("serve")
    env = corrigo_env(data, CORRIGO_BODY_SECONDS=str(body_seconds))
    assert corrigo("migrate", env=env).returncode == 0
    assert corrigo("createsite", "courier", "--origin", "https://news.example.org", env=env).returncode == 0
    process, port = start_server(env, "--connections", "60")
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(tmp_path_factory, body_seconds=2)


@pytest.fixture(scope="module")
def patient_server(tmp_path_factory):
    """Bodies may take a minute: a health check that waited for them would time out first."""
    yield from serve(tmp_path_factory, body_seconds=60)


def exchange(port: int, raw: bytes, timeout: float = 20) -> tuple[int, dict, bytes]:
    """Send raw bytes, read the whole answer (the server closes or says its length)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
        head, _, body = answer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        while len(body) < int(headers.get("content-length", "0")):
            part = sock.recv(65536)
            if not part:
                break
            body += part
    return int(lines[0].split()[1]), headers, body


def chunked(body: bytes, size: int = 100) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def post(body: bytes, *headers: str) -> bytes:
    head = ["POST /api/v1/reports HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_a_chunked_report_is_received(server):
    body = json.dumps(payload()).encode()
    status, _, answer = exchange(server, post(chunked(body), "Transfer-Encoding: chunked"))
    assert status == 201, answer
    assert json.loads(answer)["status"] == "received"


def test_a_chunked_body_over_a_mebibyte_is_refused_as_json(server):
    body = b'{"site": "' + b"x" * (1024 * 1024) + b'"}'
    status, _, answer = exchange(server, post(chunked(body, 65536), "Transfer-Encoding: chunked"))
    assert status == 413
    assert json.loads(answer)["error"]["code"] == "too_large"


@pytest.mark.parametrize("broken", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b"-5\r\n{}\r\n0\r\n\r\n"])
def test_a_broken_chunked_body_is_refused_as_json(server, broken):
    status, headers, answer = exchange(server, post(broken, "Transfer-Encoding: chunked"))
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(answer)["error"]["code"] == "invalid"


def test_a_body_that_trickles_past_the_deadline_is_cut_off_with_408(server):
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        sock.sendall(post(b"{", "Content-Length: 4000"))
        stop = threading.Event()

        def trickle():
            while not stop.wait(0.3):
                try:
                    sock.sendall(b" ")
                except OSError:
                    return

        sender = threading.Thread(target=trickle)
        sender.start()
        answer = b""
        try:
            while part := sock.recv(65536):  # the server closes the connection after its answer
                answer += part
        finally:
            stop.set()
            sender.join()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_health_answers_while_fifty_connections_hold_unfinished_bodies(patient_server):
    slow = [socket.create_connection(("127.0.0.1", patient_server), timeout=20) for _ in range(50)]
    try:
        for sock in slow:
            sock.sendall(post(b"{", "Content-Length: 4000"))
        # One worker of sync gunicorn would wait here until the first slow body ended.
        health = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        status, _, answer = exchange(patient_server, health, timeout=20)
        assert (status, json.loads(answer)) == (200, {"ok": True})
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize(
    "raw, status, code",
    [
        (b"GARBAGE\x00 / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"),
        (b"GET /api/v1/health HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(200)) + b"\r\n", 431, "headers_too_large"),
        (b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "bad_request"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400, "bad_request"),
    ],
)
def test_what_gunicorn_itself_refuses_is_answered_as_json(server, raw, status, code):
    answered, headers, body = exchange(server, raw)
    assert answered == status
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == code


def test_a_client_that_trickles_its_headers_is_cut_off(server):
    with socket.create_connection(("127.0.0.1", server), timeout=30) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        stop = threading.Event()

        def trickle():
            while not stop.wait(0.3):
                try:
                    sock.sendall(b"X")  # one long header name that never ends
                except OSError:
                    return

        sender = threading.Thread(target=trickle)
        sender.start()
        try:
            # Stock gunicorn would wait for the end of the headers for ever; this server closes.
            while sock.recv(65536):
                pass
        except ConnectionResetError:
            pass
        finally:
            stop.set()
            sender.join()


def read_answer(sock: socket.socket, buffered: bytes = b"") -> tuple[int, bytes, bytes]:
    """One answer from a kept-alive connection: (status, body, what came after it)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        assert part, "the server closed a kept-alive connection"
        data += part
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head.split()[1]), rest[:length], rest[length:]


HEALTH = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_kept_alive_connection_is_answered_request_after_request(server):
    """The answering thread waits for the next request itself, then hands a quiet connection back."""
    from corrigo.serving import LINGER_SECONDS

    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        report = json.dumps(payload(exact="islanders")).encode()
        sock.sendall(post(report, f"Content-Length: {len(report)}"))
        status, body, left = read_answer(sock)
        assert (status, left) == (201, b""), body
        for _ in range(3):  # back to back: each one taken by the thread that answered the last
            sock.sendall(HEALTH)
            assert read_answer(sock) == (200, b'{"ok": true}', b"")
        threading.Event().wait(LINGER_SECONDS * 3)  # quiet for longer than a thread waits: gunicorn's loop holds it
        sock.sendall(HEALTH)
        assert read_answer(sock)[:2] == (200, b'{"ok": true}')
        sock.sendall(HEALTH + HEALTH)  # pipelined: the second request is read ahead with the first
        status, body, left = read_answer(sock)
        assert (status, body) == (200, b'{"ok": true}')
        assert read_answer(sock, left)[:2] == (200, b'{"ok": true}')


def test_the_answering_thread_waits_for_the_next_request_only_briefly(monkeypatch):
    """gunicorn keeps connections alive by itself; what the worker adds is the wait, on a real socket."""
    from types import SimpleNamespace

    from corrigo import serving

    monkeypatch.setattr(serving, "LINGER_SECONDS", 0.05)
    ours, clients = socket.socketpair()
    with ours, clients:
        conn = SimpleNamespace(sock=ours, parser=None)
        assert serving._next_request_soon(conn) is False  # the client is quiet: back to gunicorn's loop
        threading.Timer(0.01, clients.sendall, [HEALTH]).start()
        assert serving._next_request_soon(conn) is True  # it arrives while the thread waits
        ours.recv(len(HEALTH))
        read_ahead = SimpleNamespace(unreader=SimpleNamespace(buf=io.BytesIO(HEALTH)))
        assert serving._next_request_soon(SimpleNamespace(sock=ours, parser=read_ahead)) is True  # no wait at all
        clients.close()
        assert serving._next_request_soon(conn) is True  # a closed peer is readable: the read finds the end


def test_the_api_sets_no_session_or_frame_headers_but_the_desk_does(server):
    status, headers, _ = exchange(server, HEALTH.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    assert status == 200
    assert "x-frame-options" not in headers and "set-cookie" not in headers
    login = b"GET /desk/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, headers, _ = exchange(server, login)
    assert status == 200
    assert headers["x-frame-options"] == "DENY"
    assert "csrftoken=" in headers.get("set-cookie", "")
