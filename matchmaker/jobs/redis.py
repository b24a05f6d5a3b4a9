"""The Redis job queue: the reliable-queue pattern, so a worker that dies loses no job.

`pop` moves an id atomically (BLMOVE) from the queue list to this consumer's own
processing list; `ack` removes it there (LREM). Each consumer (one queue object, so one
worker process) beats a heartbeat key while it holds ids; `recover` moves the processing
lists of consumers whose heartbeat has expired back to the front of the queue.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid

import redis

KEY_PREFIX = "matchmaker:jobs:"
HEARTBEAT_SECONDS = 30.0  # a consumer silent this long is taken for dead


class RedisJobQueue:
    """Keys `<prefix>queue`, `<prefix>consumers`, `<prefix>processing:<consumer>`,
    `<prefix>alive:<consumer>`; give tests their own prefix to keep apart."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = KEY_PREFIX,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._heartbeat = heartbeat_seconds
        self.consumer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._queue = prefix + "queue"
        self._processing = self._processing_of(self.consumer)
        self._stop = threading.Event()
        self._beater: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, *, prefix: str = KEY_PREFIX, **options: float) -> RedisJobQueue:
        return cls(redis.Redis.from_url(url, decode_responses=True), prefix=prefix, **options)

    def _processing_of(self, consumer: str) -> str:
        return f"{self._prefix}processing:{consumer}"

    def _alive_of(self, consumer: str) -> str:
        return f"{self._prefix}alive:{consumer}"

    def push(self, job_id: str) -> None:
        self._client.lpush(self._queue, job_id)

    def pop(self, timeout: float = 0) -> str | None:
        self._start_beating()
        if timeout > 0:
            item = self._client.blmove(
                self._queue, self._processing, timeout,  # type: ignore[arg-type]  # float is fine
                "RIGHT", "LEFT",
            )  # fmt: skip
        else:
            item = self._client.lmove(self._queue, self._processing, "RIGHT", "LEFT")
        return None if item is None else str(item)

    def ack(self, job_id: str) -> None:
        self._client.lrem(self._processing, 1, job_id)

    def recover(self) -> int:
        moved = 0
        consumers: set[str] = self._client.smembers(self._prefix + "consumers")  # type: ignore[assignment]
        for consumer in consumers:
            if consumer == self.consumer or self._client.exists(self._alive_of(consumer)):
                continue
            processing = self._processing_of(consumer)
            # Oldest in-flight id first back at the front (the right end pops next).
            while self._client.lmove(processing, self._queue, "RIGHT", "RIGHT") is not None:
                moved += 1
            self._client.srem(self._prefix + "consumers", consumer)
        return moved

    def __len__(self) -> int:
        return int(self._client.llen(self._queue))

    def close(self) -> None:
        """Stop beating; ids still in flight are recovered by the next worker that starts."""
        self._stop.set()
        if self._beater is not None:
            self._beater.join(timeout=5)

    def _beat(self) -> None:
        self._client.set(self._alive_of(self.consumer), "1", px=int(self._heartbeat * 1000))

    def _start_beating(self) -> None:
        with self._lock:
            if self._beater is not None:
                return
            self._client.sadd(self._prefix + "consumers", self.consumer)
            self._beat()
            self._beater = threading.Thread(target=self._beat_until_closed, daemon=True)
            self._beater.start()

    def _beat_until_closed(self) -> None:
        while not self._stop.wait(self._heartbeat / 3):
            try:
                self._beat()
            except redis.RedisError:  # the next beat tries again; recover() waits for expiry
                continue
