"""Which of the node's jobs changed, pushed to whoever watches them all (the board's event streams).

A job changes when its rows are created, when its status or progress changes on this node and when
one of its tasks here changes status. A subscriber learns the ids of the jobs that changed since it
last looked (each once, however often it changed meanwhile), so a slow reader never falls behind
by more than the set of jobs.
"""

from __future__ import annotations

import threading


class Subscription:
    """One watcher's pending changes; `close()` (from any thread) ends it."""

    def __init__(self) -> None:
        self._changed: dict[str, None] = {}  # an ordered set of job ids
        self._closed = False
        self._condition = threading.Condition()

    def add(self, job_id: str) -> None:
        with self._condition:
            self._changed[job_id] = None
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()

    def next(self, timeout: float) -> list[str] | None:
        """The ids of the jobs that changed since the last call, in the order they first changed, as soon as there
        is one; [] when none changed within `timeout` seconds; None once the subscription is closed."""
        with self._condition:
            self._condition.wait_for(lambda: self._changed or self._closed, timeout)
            if self._closed:
                return None
            changed = list(self._changed)
            self._changed.clear()
            return changed


class JobChanges:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._closed = False

    def publish(self, job_id: str) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.add(job_id)

    def subscribe(self) -> Subscription:
        """Changes from now on, until `unsubscribe` or `close` (a subscription made after `close` is closed)."""
        subscription = Subscription()
        with self._lock:
            if self._closed:
                subscription.close()
            else:
                self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)
        subscription.close()

    def close(self) -> None:
        """The node stops: every subscription ends."""
        with self._lock:
            self._closed = True
            subscriptions = list(self._subscriptions)
            self._subscriptions.clear()
        for subscription in subscriptions:
            subscription.close()
