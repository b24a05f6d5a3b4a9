"""The Redis bus: pub/sub channels, so that every server process sees every message.

Each subscription holds its own Redis pub/sub connection and a reader thread that feeds a
`MemorySubscription` queue; `subscribe` returns only once Redis has confirmed the channel,
so a message published afterwards (from any process) is delivered.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import redis

from matchmaker.bus.memory import MemorySubscription

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "matchmaker:bus:"
SUBSCRIBE_TIMEOUT = 5.0
POLL_SECONDS = 0.2  # how soon a closed subscription's reader thread notices and exits


class RedisSubscription(MemorySubscription):
    def __init__(self, bus: RedisBus, topic: str, pubsub: redis.client.PubSub) -> None:
        super().__init__(bus, topic)
        self._pubsub = pubsub
        self._reader = threading.Thread(target=self._read, name=f"bus:{topic}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while not self.closed:
                item = self._pubsub.get_message(timeout=POLL_SECONDS)
                if item is not None and item["type"] == "message":
                    data = item["data"]
                    self.deliver(data.decode("utf-8") if isinstance(data, bytes) else data)
        except (redis.RedisError, OSError, ValueError) as error:
            if not self.closed:
                log.warning("bus subscription to %r lost: %s", self.topic, error)
                self.close()
        finally:
            self._pubsub.close()


class RedisBus:
    """Topics map to channels `<prefix><topic>`; give tests their own prefix to keep apart."""

    def __init__(self, client: redis.Redis, *, prefix: str = CHANNEL_PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = CHANNEL_PREFIX) -> RedisBus:
        return cls(redis.Redis.from_url(url), prefix=prefix)

    def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        if not isinstance(message, Mapping):
            raise TypeError("a message is a JSON object (a mapping)")
        encoded = json.dumps(dict(message), ensure_ascii=False, allow_nan=False)
        try:
            self._client.publish(self._prefix + topic, encoded)
        except redis.RedisError as error:  # best effort: a lost message never fails the caller
            log.warning("bus message to %r not sent: %s", topic, error)

    def subscribe(self, topic: str) -> RedisSubscription:
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
        channel = self._prefix + topic
        try:
            pubsub.subscribe(channel)
            _confirmed(pubsub, channel)
        except BaseException:
            pubsub.close()
            raise
        return RedisSubscription(self, topic, pubsub)

    def unsubscribe(self, subscription: MemorySubscription) -> None:
        """The reader thread sees `closed` and closes its connection itself."""


def _confirmed(pubsub: redis.client.PubSub, channel: str) -> None:
    deadline = time.monotonic() + SUBSCRIBE_TIMEOUT
    while (remaining := deadline - time.monotonic()) > 0:
        item = pubsub.get_message(timeout=remaining)
        if item is not None and item["type"] == "subscribe":
            return
    raise redis.TimeoutError(f"Redis did not confirm the subscription to {channel}")
