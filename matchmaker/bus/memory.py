"""The in-process bus: enough for one server process and for tests."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any, Protocol

from matchmaker.bus.base import Message

MAX_BACKLOG = 1000  # a subscriber that stops reading loses its oldest messages


class _Registry(Protocol):
    """Whoever hands out subscriptions and must hear when one closes."""

    def unsubscribe(self, subscription: MemorySubscription) -> None: ...


class MemorySubscription:
    """A thread-safe queue of decoded messages; other backends reuse it for local delivery."""

    def __init__(self, bus: _Registry, topic: str) -> None:
        self._bus = bus
        self.topic = topic
        self._items: deque[Message] = deque(maxlen=MAX_BACKLOG)
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.closed = False

    def deliver(self, encoded: str) -> None:
        with self._lock:
            if self.closed:
                return
            self._items.append(json.loads(encoded))
            self._wake()

    def _wake(self) -> None:
        """Under the lock: wake blocking readers and every asyncio waiter, on its own loop."""
        self._ready.notify_all()
        waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    def get(self, timeout: float | None = None) -> Message | None:
        with self._ready:
            self._ready.wait_for(lambda: self._items or self.closed, timeout)
            return self._items.popleft() if self._items else None

    async def aget(self, timeout: float | None = None) -> Message | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                if self._items:
                    return self._items.popleft()
                if self.closed:
                    return None
                waiter = (asyncio.get_running_loop(), asyncio.Event())
                self._waiters.append(waiter)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                await asyncio.wait_for(waiter[1].wait(), remaining)
            except TimeoutError:
                with self._lock:
                    return self._items.popleft() if self._items else None
            finally:  # timed out or cancelled (the client went away): forget the waiter
                with self._lock:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._wake()
        self._bus.unsubscribe(self)

    def __iter__(self) -> Iterator[Message]:
        while (message := self.get()) is not None:
            yield message

    async def __aiter__(self) -> AsyncIterator[Message]:
        while (message := await self.aget()) is not None:
            yield message

    def __enter__(self) -> MemorySubscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class MemoryBus:
    """Topics are plain strings; every subscription gets a JSON round-tripped copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, list[MemorySubscription]] = {}

    def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        if not isinstance(message, Mapping):
            raise TypeError("a message is a JSON object (a mapping)")
        encoded = json.dumps(dict(message), ensure_ascii=False, allow_nan=False)
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        for subscription in subscribers:
            subscription.deliver(encoded)

    def subscribe(self, topic: str) -> MemorySubscription:
        subscription = MemorySubscription(self, topic)
        with self._lock:
            self._topics.setdefault(topic, []).append(subscription)
        return subscription

    def unsubscribe(self, subscription: MemorySubscription) -> None:
        with self._lock:
            listed = self._topics.get(subscription.topic, [])
            if subscription in listed:
                listed.remove(subscription)
            if not listed:
                self._topics.pop(subscription.topic, None)
