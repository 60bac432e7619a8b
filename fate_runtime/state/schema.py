"""The database's schema as ordered migrations: migration N brings a database from version N to N + 1.

Version 0 is a database made before the schema was versioned (the tables of migration 1 exist, made
with CREATE TABLE IF NOT EXISTS, and nothing else), or an empty one. Never change a migration that
has shipped: add one.
"""

from __future__ import annotations

import json
import sqlite3

_BASELINE = """
CREATE TABLE IF NOT EXISTS t_job (
    f_job_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_name TEXT DEFAULT '',
    f_description TEXT DEFAULT '',
    f_tag TEXT DEFAULT '',
    f_roles TEXT DEFAULT '{}',
    f_work_mode INTEGER DEFAULT 0,
    f_initiator_party_id TEXT DEFAULT '',
    f_is_initiator INTEGER DEFAULT 0,
    f_dsl TEXT DEFAULT '{}',
    f_runtime_conf TEXT DEFAULT '{}',
    f_run_ip TEXT DEFAULT '',
    f_status TEXT NOT NULL,
    f_progress INTEGER DEFAULT 0,
    f_current_steps TEXT DEFAULT '[]',
    f_current_tasks TEXT DEFAULT '[]',
    f_create_time INTEGER,
    f_update_time INTEGER,
    f_start_time INTEGER,
    f_end_time INTEGER,
    f_elapsed INTEGER,
    f_retmsg TEXT DEFAULT '',
    PRIMARY KEY (f_job_id, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_data_view (
    f_job_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_table_namespace TEXT NOT NULL,
    f_table_name TEXT NOT NULL,
    f_partition INTEGER,
    f_table_count_upload INTEGER,
    f_table_count_actual INTEGER,
    f_schema TEXT DEFAULT '{}',
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_role, f_party_id, f_component_name)
);
CREATE TABLE IF NOT EXISTS t_task (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_task_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_status TEXT NOT NULL,
    f_run_ip TEXT DEFAULT '',
    f_run_pid INTEGER,
    f_retmsg TEXT DEFAULT '',
    f_create_time INTEGER,
    f_update_time INTEGER,
    f_start_time INTEGER,
    f_end_time INTEGER,
    f_elapsed INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_tracking_metric (
    f_id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_metric_namespace TEXT NOT NULL,
    f_metric_name TEXT NOT NULL,
    f_type INTEGER NOT NULL,
    f_key TEXT,
    f_value TEXT,
    f_create_time INTEGER
);
CREATE INDEX IF NOT EXISTS i_tracking_metric ON t_tracking_metric (f_job_id, f_component_name, f_role, f_party_id);
CREATE TABLE IF NOT EXISTS t_component_parameters (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_module TEXT NOT NULL,
    f_parameters TEXT NOT NULL,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_output_data (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_data_name TEXT NOT NULL,
    f_table_namespace TEXT NOT NULL,
    f_table_name TEXT NOT NULL,
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id, f_data_name)
);
CREATE TABLE IF NOT EXISTS t_output_model (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_name TEXT NOT NULL,
    f_model TEXT NOT NULL,
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id, f_name)
);
CREATE TABLE IF NOT EXISTS t_job_federation (
    f_job_id TEXT PRIMARY KEY,
    f_roles TEXT NOT NULL,
    f_variables TEXT NOT NULL,
    f_create_time INTEGER
);
CREATE TABLE IF NOT EXISTS t_job_token (
    f_job_id TEXT PRIMARY KEY,
    f_token TEXT NOT NULL
);
"""


def baseline(conn: sqlite3.Connection) -> None:
    """1: the tables of the unversioned schema (present already in a database made before versions)."""
    for statement in filter(str.strip, _BASELINE.split(";")):
        conn.execute(statement)


def roles_encoded_once(conn: sqlite3.Connection) -> None:
    """2: t_job_federation.f_roles was stored JSON-encoded twice; keep it once."""
    for job_id, roles in conn.execute("SELECT f_job_id, f_roles FROM t_job_federation").fetchall():
        decoded = json.loads(roles)
        if isinstance(decoded, str):
            conn.execute("UPDATE t_job_federation SET f_roles = ? WHERE f_job_id = ?", (decoded, job_id))


def stored_plans(conn: sqlite3.Connection) -> None:
    """3: a job's parsed plan, stored when the job is created and read back by every query."""
    conn.execute("CREATE TABLE t_job_plan (f_job_id TEXT PRIMARY KEY, f_plan TEXT NOT NULL)")


def task_process_start(conn: sqlite3.Connection) -> None:
    """4: which process a task's pid named (boot and start time), to tell it from a later one with that pid."""
    conn.execute("ALTER TABLE t_task ADD COLUMN f_run_pid_start TEXT")


def model_store(conn: sqlite3.Connection) -> None:
    """5: models: each component's named buffers per (model id, version, role, party, component, alias)."""
    conn.execute("""
        CREATE TABLE t_model (
            f_model_id TEXT NOT NULL,
            f_model_version TEXT NOT NULL,
            f_role TEXT NOT NULL,
            f_party_id TEXT NOT NULL,
            f_component_name TEXT NOT NULL,
            f_alias TEXT NOT NULL,
            f_name TEXT NOT NULL,
            f_type TEXT NOT NULL,
            f_data BLOB NOT NULL,
            f_create_time INTEGER,
            PRIMARY KEY (f_model_id, f_model_version, f_role, f_party_id, f_component_name, f_alias, f_name)
        )""")


def transfer_log(conn: sqlite3.Connection) -> None:
    """6: the federation's transfer log, in the node's database (it was a database of its own)."""
    conn.execute("""
        CREATE TABLE t_transfer (
            f_job_id TEXT NOT NULL,
            f_name TEXT NOT NULL,
            f_tag TEXT NOT NULL,
            f_src_role TEXT NOT NULL,
            f_src_party TEXT NOT NULL,
            f_dst_role TEXT NOT NULL,
            f_dst_party TEXT NOT NULL,
            f_kind TEXT NOT NULL,
            f_object_path TEXT NOT NULL,
            f_namespace TEXT NOT NULL,
            f_table_name TEXT NOT NULL,
            f_bytes INTEGER NOT NULL,
            f_rows INTEGER NOT NULL,
            f_complete_time INTEGER NOT NULL,
            PRIMARY KEY (f_job_id, f_name, f_tag, f_src_role, f_src_party, f_dst_role, f_dst_party)
        )""")
    conn.execute("CREATE TABLE t_transfer_job_end (f_job_id TEXT PRIMARY KEY, f_end_time INTEGER NOT NULL)")


def data_views_by_table(conn: sqlite3.Connection) -> None:
    """7: a data view row per table a task wrote (a component may write several), naming its task, with an update
    time (FATE's columns); the component outputs recorded before get theirs."""
    conn.execute("""
        CREATE TABLE t_data_view_by_table (
            f_job_id TEXT NOT NULL,
            f_role TEXT NOT NULL,
            f_party_id TEXT NOT NULL,
            f_component_name TEXT NOT NULL,
            f_task_id TEXT NOT NULL,
            f_table_namespace TEXT NOT NULL,
            f_table_name TEXT NOT NULL,
            f_partition INTEGER,
            f_table_count_upload INTEGER,
            f_table_count_actual INTEGER,
            f_schema TEXT DEFAULT '{}',
            f_create_time INTEGER,
            f_update_time INTEGER,
            PRIMARY KEY (f_job_id, f_role, f_party_id, f_component_name, f_table_namespace, f_table_name)
        )""")
    conn.execute("""
        INSERT INTO t_data_view_by_table
        SELECT f_job_id, f_role, f_party_id, f_component_name, f_job_id || '_' || f_component_name,
               f_table_namespace, f_table_name, f_partition, f_table_count_upload, f_table_count_actual, f_schema,
               f_create_time, f_create_time
        FROM t_data_view""")
    conn.execute("""
        INSERT OR IGNORE INTO t_data_view_by_table (f_job_id, f_role, f_party_id, f_component_name, f_task_id,
                                                    f_table_namespace, f_table_name, f_create_time, f_update_time)
        SELECT f_job_id, f_role, f_party_id, f_component_name, f_job_id || '_' || f_component_name,
               f_table_namespace, f_table_name, f_create_time, f_create_time
        FROM t_output_data""")
    conn.execute("DROP TABLE t_data_view")
    conn.execute("ALTER TABLE t_data_view_by_table RENAME TO t_data_view")


def local_job_tasks(conn: sqlite3.Connection) -> None:
    """8: upload and download jobs (role local) get the task row and component parameters every other job's
    component has: the task as its job ended (or not yet), the parameters from its runtime conf."""
    jobs = conn.execute("""
        SELECT f_job_id, f_party_id, f_dsl, f_runtime_conf, f_status, f_retmsg, f_create_time, f_update_time,
               f_start_time, f_end_time, f_elapsed
        FROM t_job j WHERE f_role = 'local'
          AND NOT EXISTS (SELECT 1 FROM t_task t WHERE t.f_job_id = j.f_job_id AND t.f_role = 'local')""").fetchall()
    for (job_id, party, dsl, conf, status, retmsg, created, updated, started, ended, elapsed) in jobs:
        for component, body in json.loads(dsl)["components"].items():
            conn.execute("INSERT INTO t_task (f_job_id, f_component_name, f_task_id, f_role, f_party_id, f_status,"
                         " f_retmsg, f_create_time, f_update_time, f_start_time, f_end_time, f_elapsed)"
                         " VALUES (?, ?, ?, 'local', ?, ?, ?, ?, ?, ?, ?, ?)",
                         (job_id, component, f"{job_id}_{component}", party, status, retmsg, created, updated,
                          started, ended, elapsed))
            given = json.loads(conf).get("role_parameters", {}).get("local", {}).get(component, {})
            conn.execute("INSERT OR IGNORE INTO t_component_parameters VALUES (?, ?, 'local', ?, ?, ?)",
                         (job_id, component, party, body["module"],
                          json.dumps({name: values[0] if isinstance(values, list) and values else values
                                     for name, values in given.items()})))


def model_lifecycle(conn: sqlite3.Connection) -> None:
    """9: a model version whole and in its lifecycle: each party's pipeline (train DSL, inference DSL, runtime
    conf) and state (trained, loaded) beside its buffers, and the service ids bound to versions per party."""
    conn.execute("""
        CREATE TABLE t_model_version (
            f_model_id TEXT NOT NULL,
            f_model_version TEXT NOT NULL,
            f_role TEXT NOT NULL,
            f_party_id TEXT NOT NULL,
            f_train_dsl TEXT NOT NULL,
            f_inference_dsl TEXT NOT NULL,
            f_runtime_conf TEXT NOT NULL,
            f_state TEXT NOT NULL,
            f_create_time INTEGER,
            f_update_time INTEGER,
            PRIMARY KEY (f_model_id, f_model_version, f_role, f_party_id)
        )""")
    conn.execute("""
        CREATE TABLE t_model_service (
            f_service_id TEXT NOT NULL,
            f_role TEXT NOT NULL,
            f_party_id TEXT NOT NULL,
            f_model_id TEXT NOT NULL,
            f_model_version TEXT NOT NULL,
            f_create_time INTEGER,
            f_update_time INTEGER,
            PRIMARY KEY (f_service_id, f_role, f_party_id)
        )""")


def host_feature_tables(conn: sqlite3.Connection) -> None:
    """10: the feature table a host's binding serves from, as bind names it (empty: the table it trained on)."""
    for column in ("f_feature_namespace", "f_feature_table_name"):
        conn.execute(f"ALTER TABLE t_model_service ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")


MIGRATIONS = [baseline, roles_encoded_once, stored_plans, task_process_start, model_store, transfer_log,
              data_views_by_table, local_job_tasks, model_lifecycle, host_feature_tables]
