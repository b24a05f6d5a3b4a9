"""The message bus contract: fire-and-forget messages on named topics, no history.

Every backend (the in-process `memory.MemoryBus` now; Redis later, so that several server
processes share one wall) passes the suite in tests/contract/test_bus.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any, Protocol

Message = dict[str, Any]


class Subscription(Protocol):
    """Messages of one topic published after `subscribe` returned, in publish order.

    Blocking (`get`, iteration) and asyncio (`aget`, async iteration) reads may be used
    from any thread or event loop; a publish from another thread wakes an `aget` waiter at
    once. `close` (or leaving the `with` block) stops delivery and ends the iterations.
    """

    closed: bool

    def get(self, timeout: float | None = None) -> Message | None:
        """The next message; None after `timeout` seconds or once closed."""

    async def aget(self, timeout: float | None = None) -> Message | None:
        """The next message without blocking the event loop; None on timeout or close."""

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Message]: ...

    def __aiter__(self) -> AsyncIterator[Message]: ...

    def __enter__(self) -> Subscription: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class MessageBus(Protocol):
    """Deliver each published message to every subscription open on its topic.

    - Messages are JSON objects: a message that JSON cannot carry raises TypeError or
      ValueError at `publish`, so the in-process bus refuses what Redis could not send.
    - Subscribers get their own copy; nothing published before `subscribe` is delivered.
    - Delivery is at most once and best effort: a subscriber that is gone misses messages,
      and `publish` never waits for subscribers.
    """

    def publish(self, topic: str, message: Mapping[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> Subscription: ...
