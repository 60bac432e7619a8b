"""The task manager when no task process can be started: the task fails with one readable sentence."""

from __future__ import annotations

from fate_runtime import dsl
from fate_runtime.tasks.events import TaskEvents
from fate_runtime.tasks.launcher import LaunchError
from fate_runtime.tasks.manager import TaskManager

TOY = "secure_add_example_0"


class RefusingLauncher:
    def launch(self, argv: list[str], log_path: str) -> None:
        raise LaunchError("the node is stopping")


def test_a_task_that_cannot_be_launched_fails_with_the_reason(store, toy, tmp_path) -> None:
    store.create("20261201000000000001", dsl.parse(*toy), [("guest", "10000")])
    events = TaskEvents()
    watch = events.watch("20261201000000000001")
    TaskManager(store, events, RefusingLauncher(), str(tmp_path)).start(("20261201000000000001", TOY, "guest", "10000"))
    task = store.tasks({"job_id": "20261201000000000001"})[0]
    assert (task.status, task.retmsg) == (
        "failed", f"the task process of {TOY} could not be started: the node is stopping")
    events.end("20261201000000000001")
    assert [(event.status, event.retmsg) for event in watch] == [
        ("running", ""), ("failed", f"the task process of {TOY} could not be started: the node is stopping")]
