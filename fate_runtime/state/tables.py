"""The node database's tables, each with the columns that hold JSON (schema.py makes them)."""

from __future__ import annotations

from fate_runtime.state.db import Table

JOBS = Table("t_job", ("f_roles", "f_dsl", "f_runtime_conf", "f_current_steps", "f_current_tasks"))
TASKS = Table("t_task")
JOB_PLANS = Table("t_job_plan", ("f_plan",))
DATA_VIEWS = Table("t_data_view", ("f_schema",))
METRICS = Table("t_tracking_metric", ("f_value",))  # f_key: JSON for data points, "" for meta
PARAMETERS = Table("t_component_parameters", ("f_parameters",))
OUTPUT_DATA = Table("t_output_data")
OUTPUT_MODELS = Table("t_output_model", ("f_model",))
MODELS = Table("t_model")
MODEL_VERSIONS = Table("t_model_version", ("f_train_dsl", "f_inference_dsl", "f_runtime_conf"))
MODEL_SERVICES = Table("t_model_service")
JOB_FEDERATION = Table("t_job_federation", ("f_roles", "f_variables"))
JOB_TOKENS = Table("t_job_token")
