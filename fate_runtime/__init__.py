"""The node: configuration, gRPC services, jobs and the federated components."""

from fate_runtime.config import ConfigError, NodeConfig, load_conf_file
from fate_runtime.node import Node, start_node

__all__ = ["ConfigError", "Node", "NodeConfig", "load_conf_file", "start_node"]
