"""Upload jobs a previous run of the node left `running`: finished as they really ended.

An upload whose table was published before the node died is complete, though its job row never said
so (the published table, on either backend, names the job that wrote it); one that had not published failed.
"""

from __future__ import annotations

import logging

from fate_runtime.data.node_tables import NodeTables
from fate_runtime.state.job_store import RESTARTED
from fate_runtime.state.local_jobs import LocalJobs
from storage import TableNotFound

log = logging.getLogger("fate_flow.recovery")


def _written_by(tables: NodeTables, namespace: str, name: str) -> str:
    try:
        return tables.table(namespace, name).meta.written_by
    except TableNotFound:
        return ""


def settle_uploads(local_jobs: LocalJobs, tables: NodeTables) -> None:
    """Finish the upload jobs a previous run left running: a success, recorded as a normal end records it,
    if the job's table was published (its meta names the job as its writer), else failed."""
    for job in local_jobs.unfinished("Upload"):
        record = None
        if _written_by(tables, job.parameters["namespace"], job.parameters["table_name"]) == job.job_id:
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
