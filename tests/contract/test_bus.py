"""The MessageBus contract (matchmaker/bus/base.py), run against every backend.

In-memory always; Redis when MATCHMAKER_TEST_REDIS_URL names one (tests/services.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from services import redis_url, unique_prefix

from matchmaker.bus import bus_for
from matchmaker.bus.base import MessageBus
from matchmaker.bus.memory import MemoryBus
from matchmaker.config import load_settings


def _redis_bus() -> MessageBus:
    from matchmaker.bus.redis import RedisBus

    return RedisBus.from_url(redis_url(), prefix=unique_prefix())


BACKENDS: dict[str, Callable[[], MessageBus]] = {"memory": MemoryBus, "redis": _redis_bus}


@pytest.fixture(params=sorted(BACKENDS))
def bus(request: pytest.FixtureRequest) -> Iterator[MessageBus]:
    yield BACKENDS[request.param]()


def test_a_message_published_on_one_instance_reaches_subscribers_of_another() -> None:
    from matchmaker.bus.redis import RedisBus

    url, prefix = redis_url(), unique_prefix()
    first, second = RedisBus.from_url(url, prefix=prefix), RedisBus.from_url(url, prefix=prefix)
    with first.subscribe("signings") as here, second.subscribe("signings") as there:
        first.publish("signings", {"n": 1, "name": "上海澄芯"})
        assert there.get(timeout=2) == {"n": 1, "name": "上海澄芯"}
        assert here.get(timeout=2) == {"n": 1, "name": "上海澄芯"}


def test_bus_for_picks_redis_when_a_url_is_configured(tmp_path: Path) -> None:
    from matchmaker.bus.redis import RedisBus

    assert isinstance(bus_for(load_settings(data_dir=tmp_path)), MemoryBus)
    configured = load_settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    assert isinstance(bus_for(configured), RedisBus)  # connects lazily: no server needed


def test_subscriber_gets_messages_in_publish_order(bus: MessageBus) -> None:
    with bus.subscribe("signings") as subscription:
        bus.publish("signings", {"n": 1})
        bus.publish("signings", {"n": 2, "name": "上海澄芯"})
        assert subscription.get(timeout=1) == {"n": 1}
        assert subscription.get(timeout=1) == {"n": 2, "name": "上海澄芯"}


def test_messages_published_before_subscribing_are_not_delivered(bus: MessageBus) -> None:
    bus.publish("signings", {"n": 0})
    with bus.subscribe("signings") as subscription:
        assert subscription.get(timeout=0.05) is None


def test_topics_are_separate(bus: MessageBus) -> None:
    with bus.subscribe("a") as a, bus.subscribe("b") as b:
        bus.publish("a", {"to": "a"})
        assert a.get(timeout=1) == {"to": "a"}
        assert b.get(timeout=0.05) is None


def test_every_subscriber_gets_every_message(bus: MessageBus) -> None:
    with bus.subscribe("t") as first, bus.subscribe("t") as second:
        bus.publish("t", {"n": 1})
        assert first.get(timeout=1) == {"n": 1}
        assert second.get(timeout=1) == {"n": 1}


def test_subscribers_get_their_own_copy(bus: MessageBus) -> None:
    sent = {"items": [1, 2]}
    with bus.subscribe("t") as first, bus.subscribe("t") as second:
        bus.publish("t", sent)
        sent["items"].append(3)
        received = first.get(timeout=1)
        assert received == {"items": [1, 2]}
        assert received is not None
        received["items"].append(9)
        assert second.get(timeout=1) == {"items": [1, 2]}


@pytest.mark.parametrize("message", [{"when": object()}, {"x": float("nan")}])
def test_a_message_json_cannot_carry_is_refused(
    bus: MessageBus, message: dict[str, object]
) -> None:
    with pytest.raises((TypeError, ValueError)):
        bus.publish("t", message)


def test_get_times_out_with_none(bus: MessageBus) -> None:
    with bus.subscribe("t") as subscription:
        started = time.monotonic()
        assert subscription.get(timeout=0.1) is None
        assert time.monotonic() - started >= 0.09


def test_closed_subscription_gets_nothing_and_iteration_ends(bus: MessageBus) -> None:
    subscription = bus.subscribe("t")
    bus.publish("t", {"n": 1})
    subscription.close()
    bus.publish("t", {"n": 2})
    assert list(subscription) in ([], [{"n": 1}])  # queued messages may or may not drain
    assert subscription.get(timeout=0.05) is None


def test_iteration_yields_messages_until_closed(bus: MessageBus) -> None:
    subscription = bus.subscribe("t")
    received: list[object] = []

    def read() -> None:
        received.extend(subscription)

    reader = threading.Thread(target=read)
    reader.start()
    bus.publish("t", {"n": 1})
    bus.publish("t", {"n": 2})
    time.sleep(0.2)
    subscription.close()
    reader.join(timeout=2)
    assert not reader.is_alive()
    assert received == [{"n": 1}, {"n": 2}]


def test_publish_from_another_thread_wakes_an_async_reader_at_once(bus: MessageBus) -> None:
    async def scenario() -> tuple[object, float]:
        with bus.subscribe("t") as subscription:
            timer = threading.Timer(0.1, bus.publish, args=("t", {"n": 1}))
            started = time.monotonic()
            timer.start()
            message = await subscription.aget(timeout=5)
            return message, time.monotonic() - started

    message, waited = asyncio.run(scenario())
    assert message == {"n": 1}
    assert waited < 1.0


def test_async_get_times_out_with_none(bus: MessageBus) -> None:
    async def scenario() -> object:
        with bus.subscribe("t") as subscription:
            return await subscription.aget(timeout=0.1)

    assert asyncio.run(scenario()) is None


def test_async_iteration_ends_when_closed(bus: MessageBus) -> None:
    async def scenario() -> list[object]:
        subscription = bus.subscribe("t")
        received: list[object] = []

        async def read() -> None:
            async for message in subscription:
                received.append(message)

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.05)
        bus.publish("t", {"n": 1})
        await asyncio.sleep(0.05)
        subscription.close()
        await asyncio.wait_for(reader, 2)
        return received

    assert asyncio.run(scenario()) == [{"n": 1}]


def test_a_cancelled_async_reader_leaves_the_subscription_usable(bus: MessageBus) -> None:
    async def scenario() -> object:
        with bus.subscribe("t") as subscription:
            waiting = asyncio.create_task(subscription.aget(timeout=5))
            await asyncio.sleep(0.05)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            bus.publish("t", {"n": 1})
            return await subscription.aget(timeout=1)

    assert asyncio.run(scenario()) == {"n": 1}
