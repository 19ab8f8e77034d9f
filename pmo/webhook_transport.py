"""Outgoing webhooks on the wire: which URLs may be called, how a body is signed, and one POST.

A webhook URL is typed by a user but fetched by the server, so without care it reaches whatever
the server can reach: a cloud metadata service, the database, an admin page on localhost. Every
address the host resolves to must be public, both when the URL is saved and when it is called,
and the POST connects to the very address it has just checked, so a DNS answer that changes in
between (DNS rebinding) gains an attacker nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import logging
import socket
import ssl
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError

SIGNATURE_HEADER = "X-PMO-Signature"
TIMESTAMP_HEADER = "X-PMO-Timestamp"
USER_AGENT = "PMO-Webhooks/1"
MAX_URL_LENGTH = 2000
MAX_RESPONSE_BYTES = 64 * 1024
EXCERPT_CHARS = 500

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 turns these IPv6 addresses into IPv4 ones: the well-known prefix embeds the IPv4 address
# in its last 32 bits; the local-use prefix may embed it anywhere, so it is refused whole.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")

logger = logging.getLogger(__name__)


class _Refusal(ApplicationError):
    """A refused URL: a translated message for the user and, in `detail`, English for the delivery log."""

    def __init__(self, message: str, *, code: str, detail: str) -> None:
        super().__init__(message, code=code, fields={"url": [message]})
        self.detail = detail


class _Target(NamedTuple):
    scheme: str
    host: str  # an ASCII (IDNA) host name or an IP literal without brackets
    port: int
    host_header: str
    path: str


class _Address(NamedTuple):
    family: int
    sockaddr: tuple[Any, ...]
    ip: IPAddress


@dataclass(frozen=True)
class PostResult:
    status_code: int | None  # None when no HTTP response was received
    error: str  # '' when a response came back; otherwise a short English reason for the delivery log
    response_excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def is_public_address(ip: IPAddress) -> bool:
    """True for an address on the public internet, including through IPv6 forms that embed IPv4.

    `is_global` alone is not enough on Python 3.11: it calls multicast, site-local and the 6to4 or
    NAT64 form of 127.0.0.1 global.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        embedded = [ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in _NAT64_WELL_KNOWN:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(inner is not None and not is_public_address(inner) for inner in embedded):
            return False
        if ip.is_site_local or ip in _NAT64_LOCAL_USE:
            return False
    special = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
    return ip.is_global and not special and not ip.is_unspecified


def _invalid(message: str, detail: str) -> _Refusal:
    return _Refusal(message, code="webhook_url_invalid", detail=detail)


def _unresolvable(host: str, detail: str) -> _Refusal:
    message = _("The host %(host)s could not be found.") % {"host": host}
    return _Refusal(message, code="webhook_url_unresolvable", detail=detail)


def _parse(url: str) -> _Target:
    if len(url) > MAX_URL_LENGTH:
        message = _("A web address can be at most %(limit)s characters long.") % {"limit": MAX_URL_LENGTH}
        raise _invalid(message, "URL too long")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise _invalid(_("Enter a valid web address."), "URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _invalid(_("Enter a valid web address."), f"malformed URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        message = _("Enter a web address that starts with http:// or https://.")
        raise _invalid(message, f"scheme {parts.scheme!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise _invalid(_("Leave the user name and password out of the web address."), "URL carries credentials")
    if not parts.hostname:
        raise _invalid(_("Enter a web address with a host name."), "URL has no host")
    if port is not None and not 1 <= port <= 65535:
        raise _invalid(_("Enter a port between 1 and 65535."), f"port {port} is out of range")
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise _invalid(_("Enter a valid web address."), f"host name is not valid: {exc}") from exc
    default_port = 443 if parts.scheme == "https" else 80
    host_header = f"[{host}]" if ":" in host else host
    if port is not None:
        host_header = f"{host_header}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Non-ASCII in the path is percent-encoded; escapes already there are kept as they are.
    return _Target(parts.scheme, host, port or default_port, host_header, quote(path, safe=string.punctuation))


def _resolve(target: _Target) -> list[_Address]:
    """Every address of the host, refused unless all of them are public (or private ones are allowed)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _unresolvable(target.host, f"could not resolve {target.host}: {exc}") from exc
    addresses: list[_Address] = []
    for info in infos:
        family, sockaddr = info[0], info[4]
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        address = _Address(family, tuple(sockaddr), ip)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _unresolvable(target.host, f"{target.host} has no IP address")
    unsafe = [address.ip for address in addresses if not is_public_address(address.ip)]
    if unsafe and not settings.PMO_WEBHOOK_ALLOW_PRIVATE:
        message = _(
            "The host %(host)s leads to a private or reserved network address; webhooks can only call public ones."
        ) % {"host": target.host}
        raise _Refusal(message, code="webhook_url_unsafe", detail=f"{target.host} resolves to {unsafe[0]}, not public")
    return addresses


def check_url(url: str) -> None:
    """Raise ApplicationError (code webhook_url_invalid, _unresolvable or _unsafe) unless url may be called.

    Checked when a webhook is saved, so the user hears about a bad URL at once; post() checks again.
    """
    _resolve(_parse(url))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value; the timestamp is signed too, so an old delivery cannot be replayed."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(
    secret: str, signature: str, timestamp: str | int, body: bytes, *, now: int | None = None, tolerance: int = 300
) -> bool:
    """What a receiver does with a delivery: a constant-time comparison, within `tolerance` seconds of now."""
    if isinstance(timestamp, str):
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 20):
            return False
        timestamp = int(timestamp)
    elif not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8"))


def _arm(sock: socket.socket, deadline: float) -> None:
    """Give the next network wait only what is left of the whole request's time."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("timed out")
    sock.settimeout(remaining)


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP or HTTPS to addresses already checked: the host name is never resolved again."""

    def __init__(self, target: _Target, addresses: list[_Address], deadline: float) -> None:
        super().__init__(target.host, target.port)
        self._target = target
        self._addresses = addresses
        self._deadline = deadline

    def connect(self) -> None:
        sock = self._open_socket()
        if self._target.scheme == "https":
            # The certificate is verified against the name in the URL, not against the IP used.
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self._target.host)
        self.sock = sock
        _arm(sock, self._deadline)

    def _open_socket(self) -> socket.socket:
        error: OSError = TimeoutError("timed out")
        for address in self._addresses:
            sock = socket.socket(address.family, socket.SOCK_STREAM)
            try:
                _arm(sock, self._deadline)
                sock.connect(address.sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
            else:
                return sock
        raise error


def _describe(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.HTTPException):
        return f"invalid HTTP response: {type(exc).__name__} {exc}"[:200]
    return f"network error: {exc}"[:200]


def _excerpt(response: http.client.HTTPResponse, sock: socket.socket, deadline: float, host: str) -> str:
    """The start of the body, read within the deadline; a body cut short still leaves a delivered response."""
    raw = bytearray()
    try:
        while len(raw) < MAX_RESPONSE_BYTES:
            _arm(sock, deadline)
            chunk = response.read1(MAX_RESPONSE_BYTES - len(raw))
            if not chunk:
                break
            raw += chunk
    except (OSError, http.client.HTTPException) as exc:
        logger.info("Webhook response from %s cut short: %s", host, _describe(exc))
    finally:
        response.close()
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    return text[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float | None = None) -> PostResult:
    """POST body to url once, without following redirects; network failures come back as a PostResult.

    `timeout` (default settings.PMO_WEBHOOK_TIMEOUT_SECONDS) bounds the whole exchange after the
    name is resolved, not each wait, so a receiver that trickles bytes cannot hold a worker.
    """
    started = time.monotonic()
    deadline = started + (settings.PMO_WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout)

    def result(status: int | None = None, error: str = "", excerpt: str = "") -> PostResult:
        return PostResult(status, error, excerpt, int((time.monotonic() - started) * 1000))

    try:
        target = _parse(url)
        addresses = _resolve(target)
    except _Refusal as refusal:
        return result(error=f"refused: {refusal.detail}")
    fixed = {"Host": target.host_header, "Content-Type": "application/json", "User-Agent": USER_AGENT}
    ours = {name.lower() for name in fixed} | {"content-length", "transfer-encoding"}
    request_headers = {name: value for name, value in headers.items() if name.lower() not in ours} | fixed
    connection = _PinnedConnection(target, addresses, deadline)
    try:
        connection.request("POST", target.path, body=body, headers=request_headers)
        sock = connection.sock  # getresponse() hands the socket over to the response and forgets it
        _arm(sock, deadline)
        response = connection.getresponse()
        return result(response.status, excerpt=_excerpt(response, sock, deadline, target.host))
    except (OSError, http.client.HTTPException) as exc:
        return result(error=_describe(exc))
    finally:
        connection.close()
