"""Task status events of a node, passed to whoever watches a job (the job's initiator).

Events are kept per job until the job ends on this node, so a watcher that subscribes late
still sees every event, in order. Each event also tells `changes`, the node's job changes.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from typing import Iterator

from fate_runtime.tasks.job_changes import JobChanges


@dataclasses.dataclass(frozen=True)
class TaskEvent:
    job_id: str
    component: str
    role: str
    party_id: str
    status: str
    retmsg: str
    time_ms: int


_END = object()
_CLOSED = object()


class TaskEvents:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backlog: dict[str, list[TaskEvent]] = {}
        self._watchers: dict[str, list[queue.Queue]] = {}
        self.changes = JobChanges()

    def publish(self, event: TaskEvent) -> None:
        with self._lock:
            self._backlog.setdefault(event.job_id, []).append(event)
            for watcher in self._watchers.get(event.job_id, []):
                watcher.put(event)
        self.changes.publish(event.job_id)

    def end(self, job_id: str) -> None:
        """The job ended on this node: close its watches and forget its events."""
        with self._lock:
            self._backlog.pop(job_id, None)
            for watcher in self._watchers.pop(job_id, []):
                watcher.put(_END)

    def watch(self, job_id: str) -> "Watch":
        """Every event of the job, past and future, until the job ends here or the watch is closed."""
        watcher: queue.Queue = queue.Queue()
        with self._lock:
            for event in self._backlog.get(job_id, []):
                watcher.put(event)
            self._watchers.setdefault(job_id, []).append(watcher)
        return Watch(self, job_id, watcher)

    def _forget(self, job_id: str, watcher: queue.Queue) -> None:
        with self._lock:
            watchers = self._watchers.get(job_id, [])
            if watcher in watchers:
                watchers.remove(watcher)


class Watch:
    """One watcher's stream of a job's events; `close()` (from any thread) ends it."""

    def __init__(self, events: TaskEvents, job_id: str, watcher: queue.Queue) -> None:
        self._events = events
        self._job_id = job_id
        self._watcher = watcher
        self.ended = False  # the job ended (rather than the watch being closed)

    def close(self) -> None:
        self._watcher.put(_CLOSED)

    def __iter__(self) -> Iterator[TaskEvent]:
        try:
            while True:
                event = self._watcher.get()
                if event is _END:
                    self.ended = True
                    return
                if event is _CLOSED:
                    return
                yield event
        finally:
            self._events._forget(self._job_id, self._watcher)
