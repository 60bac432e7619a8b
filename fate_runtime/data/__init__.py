"""Data in and out of a node: upload, download, CSV parsing, file paths, table views."""
