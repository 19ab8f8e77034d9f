"""Webhook transport: which URLs may be called, signatures, and one POST to a real local server."""

from __future__ import annotations

import hashlib
import hmac
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pmo import webhook_transport
from pmo.errors import ApplicationError
from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, check_url, post, sign, verify

PUBLIC_IP = "93.184.215.14"


@pytest.fixture(autouse=True)
def _private_addresses_refused(settings: Any) -> None:
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Host names the test answers for; every other name goes to the real resolver."""
    answers: dict[str, list[str]] = {}
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        if not answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answers[host]
        ]

    monkeypatch.setattr(webhook_transport.socket, "getaddrinfo", getaddrinfo)
    return answers


def refusal_code(url: str) -> str:
    with pytest.raises(ApplicationError) as caught:
        check_url(url)
    assert caught.value.fields["url"] == [caught.value.message]
    return caught.value.code


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://10.0.0.1/hook",
        "http://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "http://[ff0e::1]/hook",
        "http://[fec0::1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "http://[fe80::1]/hook",
        "http://2130706433/hook",
        "http://255.255.255.255/hook",
    ],
)
def test_addresses_off_the_public_internet_are_refused(url: str) -> None:
    assert refusal_code(url) == "webhook_url_unsafe"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "//example.com/hook",
        "http://user:secret@example.com/hook",
        "https://token@example.com/hook",
        "http:///hook",
        "http://",
        "http://example.com:0/hook",
        "http://example.com:70000/hook",
        "http://example.com:port/hook",
        "http://exa mple.com/hook",
        "http://example.com/hook\r\nX-Injected: 1",
        "http://[::1/hook",
        "http://" + "a" * 64 + ".example.com/hook",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_malformed_urls_are_refused_before_any_lookup(url: str, dns: dict[str, list[str]]) -> None:
    dns["example.com"] = [PUBLIC_IP]
    assert refusal_code(url) == "webhook_url_invalid"


def test_a_host_that_does_not_resolve_is_refused(dns: dict[str, list[str]]) -> None:
    dns["nowhere.example"] = []
    assert refusal_code("https://nowhere.example/hook") == "webhook_url_unresolvable"


def test_a_public_looking_name_that_resolves_to_a_private_address_is_refused(dns: dict[str, list[str]]) -> None:
    dns["hooks.example.com"] = ["10.1.2.3"]
    assert refusal_code("https://hooks.example.com/hook") == "webhook_url_unsafe"


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns: dict[str, list[str]]) -> None:
    dns["hooks.example.com"] = [PUBLIC_IP, "127.0.0.1"]
    assert refusal_code("https://hooks.example.com/hook") == "webhook_url_unsafe"


@pytest.mark.parametrize(
    "answer", [[PUBLIC_IP], ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"], [PUBLIC_IP, "2001:4860:4860::8888"]]
)
def test_a_host_with_only_public_addresses_is_accepted(dns: dict[str, list[str]], answer: list[str]) -> None:
    dns["hooks.example.com"] = answer
    check_url("https://hooks.example.com/hook?source=pmo")
    check_url("http://hooks.example.com:8443/")


def test_an_international_host_name_is_looked_up_in_its_ascii_form(dns: dict[str, list[str]]) -> None:
    dns["xn--fsqu00a.example"] = [PUBLIC_IP]
    check_url("https://例子.example/hook")


@pytest.mark.usefixtures("allow_private")
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://10.0.0.1/hook", "http://[fd00::1]/hook"])
def test_private_addresses_are_accepted_when_the_setting_allows_them(url: str) -> None:
    check_url(url)


def test_the_setting_that_allows_private_addresses_does_not_excuse_malformed_urls(settings: Any) -> None:
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = True
    assert refusal_code("ftp://127.0.0.1/hook") == "webhook_url_invalid"


BODY = b'{"event":"risk.escalated","id":42}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = "v1=" + hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, BODY) == expected
    assert verify("s3cret", expected, "1700000000", BODY, now=1700000100)
    assert verify("s3cret", expected, 1700000000, BODY, now=1699999900)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now"),
    [
        ("wrong", "1700000000", BODY, 1700000000),
        ("s3cret", "1700000000", BODY.replace(b"42", b"43"), 1700000000),
        ("s3cret", "1700000000", BODY, 1700000301),
        ("s3cret", "1700000000", BODY, 1699999699),
        ("s3cret", "1700000001", BODY, 1700000000),
    ],
    ids=["wrong secret", "tampered body", "stale", "from the future", "other timestamp"],
)
def test_a_signature_does_not_verify_when_anything_differs(secret: str, timestamp: str, body: bytes, now: int) -> None:
    signature = sign("s3cret", 1700000000, BODY)
    assert not verify(secret, signature, timestamp, body, now=now)


@pytest.mark.parametrize("timestamp", ["", "abc", "1.7e9", "-1700000000", " 1700000000", "1" * 5000, None])
def test_a_timestamp_that_is_not_a_whole_number_never_verifies(timestamp: Any) -> None:
    signature = sign("s3cret", 1700000000, BODY)
    assert not verify("s3cret", signature, timestamp, BODY, now=1700000000)


def test_a_signature_with_foreign_characters_is_rejected_not_raised() -> None:
    assert not verify("s3cret", "v1=签名", 1700000000, BODY, now=1700000000)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 whose answer each test sets."""

    port: int
    status: int = 204
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold_after_body: float = 0.0
    connections: int = 0
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length", "0"))
        receiver.requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
        receiver.release.wait(receiver.delay)
        self.send_response(receiver.status)
        for name, value in receiver.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in receiver.headers:
            self.send_header("Content-Length", str(len(receiver.body)))
        self.end_headers()
        self.wfile.write(receiver.body)
        self.wfile.flush()
        receiver.release.wait(receiver.hold_after_body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on what was received."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.receiver.connections += 1
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early is part of the tests."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.receiver
    server.receiver.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.usefixtures("allow_private")
def test_post_delivers_the_exact_body_and_headers(receiver: Receiver) -> None:
    headers = {SIGNATURE_HEADER: sign("s3cret", 1700000000, BODY), TIMESTAMP_HEADER: "1700000000"}

    result = post(receiver.url("/hook?source=pmo"), BODY, headers)

    assert (result.status_code, result.ok, result.error) == (204, True, "")
    assert result.duration_ms >= 0
    [received] = receiver.requests
    assert received.path == "/hook?source=pmo"
    assert received.body == BODY
    assert received.headers[SIGNATURE_HEADER] == headers[SIGNATURE_HEADER]
    assert received.headers[TIMESTAMP_HEADER] == "1700000000"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["User-Agent"] == "PMO-Webhooks/1"
    assert received.headers["Host"] == f"127.0.0.1:{receiver.port}"


@pytest.mark.usefixtures("allow_private")
def test_post_connects_to_the_checked_address_and_keeps_the_host_name(
    receiver: Receiver, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example.test"] = ["127.0.0.1"]

    result = post(receiver.url(host="hooks.example.test"), BODY, {})

    assert result.ok
    assert receiver.requests[0].headers["Host"] == f"hooks.example.test:{receiver.port}"


@pytest.mark.usefixtures("allow_private")
def test_a_server_error_is_a_result_that_is_not_ok(receiver: Receiver) -> None:
    receiver.status, receiver.body = 500, b"database is down"

    result = post(receiver.url(), BODY, {})

    assert (result.status_code, result.ok, result.error) == (500, False, "")
    assert result.response_excerpt == "database is down"


@pytest.mark.usefixtures("allow_private")
def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    receiver.status, receiver.headers = 302, {"Location": receiver.url("/elsewhere")}

    result = post(receiver.url(), BODY, {})

    assert (result.status_code, result.ok) == (302, False)
    assert [received.path for received in receiver.requests] == ["/hook"]


@pytest.mark.usefixtures("allow_private")
def test_a_closed_port_gives_an_error_without_a_status() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    result = post(f"http://127.0.0.1:{closed_port}/hook", BODY, {})

    assert (result.status_code, result.ok, result.error) == (None, False, "connection refused")


@pytest.mark.usefixtures("allow_private")
def test_a_receiver_slower_than_the_timeout_gives_an_error_without_raising(receiver: Receiver) -> None:
    receiver.delay = 5

    result = post(receiver.url(), BODY, {}, timeout=0.3)

    assert (result.status_code, result.error) == (None, "timed out")
    assert result.duration_ms < 2000


@pytest.mark.usefixtures("allow_private")
def test_the_timeout_defaults_to_the_setting_read_at_call_time(receiver: Receiver, settings: Any) -> None:
    settings.PMO_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 5

    result = post(receiver.url(), BODY, {})

    assert (result.status_code, result.error) == (None, "timed out")


def test_post_to_a_private_address_makes_no_connection_when_private_is_off(receiver: Receiver) -> None:
    result = post(receiver.url(), BODY, {})

    assert result.status_code is None
    assert result.error.startswith("refused:")
    assert receiver.requests == []
    assert receiver.connections == 0


def test_post_refuses_a_malformed_url_with_an_error_not_an_exception() -> None:
    result = post("ftp://example.com/hook", BODY, {})

    assert result.status_code is None
    assert result.error.startswith("refused:")


def test_post_resolves_again_and_refuses_a_name_rebound_to_a_private_address(
    receiver: Receiver, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example.test"] = [PUBLIC_IP]
    url = receiver.url(host="hooks.example.test")
    check_url(url)
    dns["hooks.example.test"] = ["127.0.0.1"]

    result = post(url, BODY, {})

    assert result.status_code is None
    assert result.error.startswith("refused:")
    assert receiver.connections == 0


@pytest.mark.usefixtures("allow_private")
def test_the_response_excerpt_is_the_first_500_characters(receiver: Receiver) -> None:
    receiver.status, receiver.body = 200, ("回执" * 600).encode()
    receiver.headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(receiver.body))}

    result = post(receiver.url(), BODY, {})

    assert result.ok
    assert result.response_excerpt == ("回执" * 600)[:500]


@pytest.mark.usefixtures("allow_private")
def test_a_huge_response_is_not_read_past_64_kib(receiver: Receiver) -> None:
    receiver.status, receiver.body = 200, b"x" * (256 * 1024)
    receiver.headers = {"Content-Length": str(100 * 1024 * 1024)}
    receiver.hold_after_body = 5

    result = post(receiver.url(), BODY, {}, timeout=3)

    assert result.ok
    assert result.response_excerpt == "x" * 500
    assert result.duration_ms < 2000


@pytest.mark.usefixtures("allow_private")
def test_https_checks_the_certificate_against_the_url_host_not_the_ip(
    receiver: Receiver, dns: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    dns["hooks.example.test"] = ["127.0.0.1"]
    contexts: list[tuple[ssl.SSLContext, str | None]] = []
    real_create_default_context: Callable[..., ssl.SSLContext] = ssl.create_default_context

    class RecordingContext(ssl.SSLContext):
        def wrap_socket(self, sock: Any, *args: Any, server_hostname: str | None = None, **kwargs: Any) -> Any:
            contexts.append((self, server_hostname))
            return super().wrap_socket(sock, *args, server_hostname=server_hostname, **kwargs)

    def create_default_context() -> ssl.SSLContext:
        context = real_create_default_context()
        context.__class__ = RecordingContext
        return context

    monkeypatch.setattr(webhook_transport.ssl, "create_default_context", create_default_context)

    result = post(f"https://hooks.example.test:{receiver.port}/hook", BODY, {})

    [(context, server_hostname)] = contexts
    assert server_hostname == "hooks.example.test"
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert result.status_code is None
    assert result.error.startswith("TLS")
    assert receiver.requests == []
