"""The Spark computing backend: tables as pyspark RDDs of codec bytes, laid out by storage.partitioner."""

from storage.spark.context import SparkSettings, spark_context, stop_spark_context
from storage.spark.store import SparkStore
from storage.spark.table import SparkTable

__all__ = ["SparkSettings", "SparkStore", "SparkTable", "spark_context", "stop_spark_context"]
