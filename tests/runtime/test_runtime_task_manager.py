"""The task manager when no task process can be started: the task fails with one readable sentence."""

from __future__ import annotations

from fate_runtime import dsl
from fate_runtime.task_events import TaskEvents
from fate_runtime.task_launcher import LaunchError
from fate_runtime.task_manager import TaskManager

TOY = "secure_add_example_0"


class RefusingLauncher:
    def launch(self, argv: list[str], log_path: str) -> None:
        raise LaunchError("the node is stopping")


def test_a_task_that_cannot_be_launched_fails_with_the_reason(store, toy, tmp_path) -> None:
    store.create("j1", dsl.parse(*toy), [("guest", "10000")])
    events = TaskEvents()
    watch = events.watch("j1")
    TaskManager(store, events, RefusingLauncher(), str(tmp_path)).start(("j1", TOY, "guest", "10000"))
    task = store.tasks({"f_job_id": "j1"})[0]
    assert (task["f_status"], task["f_retmsg"]) == (
        "failed", f"the task process of {TOY} could not be started: the node is stopping")
    events.end("j1")
    assert [(event.status, event.retmsg) for event in watch] == [
        ("running", ""), ("failed", f"the task process of {TOY} could not be started: the node is stopping")]
