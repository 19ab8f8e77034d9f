"""Attachment storage for the tests: a folder of each test's own, and a real S3-compatible server.

The S3 server is moto's (``moto[server]``), started once per test session on a free loopback
port. It is a development dependency: when it cannot start, the tests that need it fail, in CI
and everywhere else, rather than skip.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.test import override_settings

BUCKET = "pmo-attachments-test"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"moto's S3 server did not start on 127.0.0.1:{port} (exit code {process.poll()})")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _storages(attachments: dict[str, Any]) -> dict[str, Any]:
    from django.conf import settings

    return {**settings.STORAGES, "attachments": attachments}


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "attachments"
    folder.mkdir()
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
    with override_settings(STORAGES=_storages(backend)):
        yield folder


@pytest.fixture
def s3_storage(s3_endpoint: str) -> Iterator[Any]:
    """The S3 storage as production configures it, on a fresh bucket of moto's server."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_endpoint,
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
            "addressing_style": "path",
            "location": "attachments",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    with override_settings(STORAGES=_storages(backend)):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture(params=["local", "s3"])
def any_storage(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on the local folder and on the S3-compatible server."""
    request.getfixturevalue("local_storage" if request.param == "local" else "s3_storage")
    return str(request.param)


def stored_names() -> set[str]:
    """Every name in the attachments storage, whatever its backend."""
    storage = storages["attachments"]
    names: set[str] = set()
    pending = [""]
    while pending:
        folder = pending.pop()
        directories, files = storage.listdir(folder)
        names.update(f"{folder}/{name}".lstrip("/") for name in files)
        pending.extend(f"{folder}/{name}".lstrip("/") for name in directories)
    return names
