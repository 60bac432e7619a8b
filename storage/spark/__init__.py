"""The Spark computing backend: tables as pyspark RDDs of codec bytes, laid out by storage.partitioner.

Import `storage.spark.store.SparkStore` (needs pyspark); `storage.spark.settings` imports without it.
"""
