"""The node's state in its SQLite database: jobs and tasks, the federation registry, tracking, local jobs."""
