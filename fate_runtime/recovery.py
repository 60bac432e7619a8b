"""After a restart: nothing this node left running may stay `running` forever.

An upload whose table was published before the node died is complete, though its job row never
said so: `settle_uploads` marks it a success; every other unfinished job is marked failed.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import TYPE_CHECKING

from fate_runtime.jobs import FAILED, JobStore
from fate_runtime.local_jobs import LocalJobs
from storage import Store, TableNotFound

if TYPE_CHECKING:
    from fate_runtime.scheduler import Scheduler

log = logging.getLogger("fate_flow.recovery")

RESTARTED = "the node restarted while the job ran"


def _kill_group(pid: int | None) -> None:
    """A task process of the previous run may still be alive (it has its own session): end it."""
    if not pid:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def recover(jobs: JobStore, scheduler: Scheduler) -> None:
    """Fail the tasks and jobs a previous run of this node left unfinished; tell the other parties
    of jobs this node initiated."""
    for task in jobs.unfinished_tasks():
        _kill_group(task["f_run_pid"])
        jobs.set_task_status(task["f_job_id"], task["f_component_name"], task["f_role"], task["f_party_id"],
                             FAILED, RESTARTED)
    for job_id in sorted({row["f_job_id"] for row in jobs.unfinished_jobs()}):
        rows = jobs.jobs({"f_job_id": job_id})
        jobs.set_job_status(job_id, FAILED, retmsg=RESTARTED)
        log.warning("job %s was unfinished when this node stopped: marked failed", job_id)
        if any(row["f_is_initiator"] for row in rows):
            scheduler.stop_elsewhere(job_id, FAILED, "the job's initiator restarted while the job ran")


def _written_by(store: Store, namespace: str, name: str) -> str:
    try:
        return store.table(namespace, name).meta.written_by
    except TableNotFound:
        return ""


def settle_uploads(local_jobs: LocalJobs, store: Store) -> None:
    """Finish the upload jobs a previous run left running: a success, recorded as a normal end records it,
    if the job's table was published (its meta names the job as its writer), else failed."""
    for job in local_jobs.unfinished("Upload"):
        record = None
        if _written_by(store, job.parameters["namespace"], job.parameters["table_name"]) == job.job_id:
            record = local_jobs.noted_table(job.job_id)
        if record is None:
            log.warning("upload job %s was unfinished when this node stopped: marked failed", job.job_id)
            local_jobs.finish(job, RESTARTED)
            continue
        local_jobs.record_table(job, record)
        job.log.info("the node stopped after the table was published and before the job ended: "
                     "the upload is complete")
        log.warning("upload job %s had published its table when this node stopped: marked success", job.job_id)
        local_jobs.finish(job)
