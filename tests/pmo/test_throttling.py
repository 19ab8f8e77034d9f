"""The API's rate limit: per token, a fixed window, one round trip to Redis per request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.connection import Connection
from rest_framework.test import APIClient

from pmo.api.throttling import PerTokenRateThrottle, count_hit

pytestmark = pytest.mark.django_db
REDIS_LOCATION = "redis://127.0.0.1:6379/12"


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    cache = RedisCache(REDIS_LOCATION, {"KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many([f"throttle_token_{ident}_window" for ident in ("a", "b")])


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per request written to a Redis connection (a pipeline is one)."""
    sent: list[int] = []
    original = Connection.send_packed_command

    def counting(self: Connection, command: object, check_health: bool = True) -> None:
        sent.append(1)
        original(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def test_a_token_over_its_limit_on_redis_gets_429_with_the_window_left(
    api: APIClient, redis_cache: RedisCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    monkeypatch.setattr(PerTokenRateThrottle, "cache", redis_cache)
    first = bearer(api.post("/api/v1/tokens/", {"name": "one"}).json()["token"])
    second = bearer(api.post("/api/v1/tokens/", {"name": "two"}).json()["token"])
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/me/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert second.get("/api/v1/me/").status_code == 200


def test_each_request_costs_one_round_trip_to_redis_whatever_the_traffic(
    api: APIClient, redis_cache: RedisCache, monkeypatch: pytest.MonkeyPatch, round_trips: list[int]
) -> None:
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "1000/minute"})
    monkeypatch.setattr(PerTokenRateThrottle, "cache", redis_cache)
    client = bearer(api.post("/api/v1/tokens/", {"name": "busy"}).json()["token"])
    client.get("/api/v1/me/")
    for requests in (1, 10, 50):
        round_trips.clear()
        for _ in range(requests):
            assert client.get("/api/v1/me/").status_code == 200
        assert len(round_trips) == requests


def test_the_window_opens_with_the_first_request_and_its_count_expires_with_it(redis_cache: RedisCache) -> None:
    assert count_hit(redis_cache, "throttle_token_a_window", 60)[0] == 1
    count, left = count_hit(redis_cache, "throttle_token_a_window", 60)
    assert count == 2
    assert 59 < left <= 60
    assert count_hit(redis_cache, "throttle_token_b_window", 60)[0] == 1
    client = redis_cache._cache.get_client(write=False)  # type: ignore[attr-defined]
    assert 0 < client.ttl(redis_cache.make_and_validate_key("throttle_token_a_window")) <= 60


def test_caches_without_redis_count_the_same_way() -> None:
    cache = LocMemCache(f"throttle-{uuid.uuid4().hex}", {})
    assert [count_hit(cache, "k", 60)[0] for _ in range(3)] == [1, 2, 3]
    assert 59 < count_hit(cache, "k", 60)[1] <= 60
