"""After a restart: nothing this node left running may stay `running` forever.

Upload jobs are settled by the uploader when it starts (data/upload_recovery.py): one whose table
was published before the node died is a success; every other unfinished job is marked failed here.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import TYPE_CHECKING, Callable

from fate_runtime.state.job_store import FAILED, RESTARTED, JobStore, TaskRecord
from fate_runtime.tasks.process_identity import identity

if TYPE_CHECKING:
    from fate_runtime.jobs.scheduler import Scheduler

log = logging.getLogger("fate_flow.recovery")


def _kill_group(task: TaskRecord) -> None:
    """A task process of the previous run may still be alive (it leads its own process group): end it, but only
    if the pid still names that very process (a later process may have its pid now, after a reboot too)."""
    if not task.run_pid or task.run_pid_start is None or identity(task.run_pid) != task.run_pid_start:
        return
    try:
        os.killpg(task.run_pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def recover(jobs: JobStore, scheduler: Scheduler, received: Callable[[str], object]) -> None:
    """Fail the tasks and jobs a previous run of this node left unfinished, dropping what they received
    (`received(job_id)`: they take no more); tell the other parties of jobs this node initiated."""
    for task in jobs.unfinished_tasks():
        _kill_group(task)
        jobs.set_task_status(task.job_id, task.component_name, task.role, task.party_id,
                             FAILED, RESTARTED)
    for job_id in sorted({row.job_id for row in jobs.unfinished_jobs()}):
        rows = jobs.jobs({"job_id": job_id})
        jobs.set_job_status(job_id, FAILED, retmsg=RESTARTED)
        received(job_id)
        log.warning("job %s was unfinished when this node stopped: marked failed", job_id)
        if any(row.is_initiator for row in rows):
            scheduler.stop_elsewhere(job_id, FAILED, "the job's initiator restarted while the job ran")
