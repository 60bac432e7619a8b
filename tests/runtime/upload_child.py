"""An upload in a process of its own, as a node runs it, that can die at a chosen point or write into a
small file-size limit; for the tests of what a restart finds (test_runtime_upload.py).

Usage: python upload_child.py DATA_DIR FILES_DIR NAMESPACE TABLE FILE DROP [--die before-publish|after-publish]
[--file-size-limit BYTES]. Prints the upload's result, or the type of the error it raised.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
from pathlib import Path

from fate_runtime.state.db import Database
from fate_runtime.state.local_jobs import LocalJobs
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.upload import UploadRequest, Uploader
from storage import Store

DIED = 9


def uploader(data_dir: Path, files: Path) -> tuple[Uploader, Store, LocalJobs]:
    """An uploader over a node-like data dir (the tests open the same dir with this)."""
    store = Store(str(data_dir / "storage"), workers=2)
    jobs = LocalJobs(Database(str(data_dir / "fate_flow.db")), str(data_dir))
    return Uploader(store, jobs, PathPolicy(str(files), (str(files),)), 0, str(data_dir / "incoming")), store, jobs


def _die(*_: object, **__: object) -> None:
    os._exit(DIED)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("data_dir", "files", "namespace", "table", "file"):
        parser.add_argument(name)
    parser.add_argument("drop", type=int)
    parser.add_argument("--die", choices=["before-publish", "after-publish"])
    parser.add_argument("--file-size-limit", type=int)
    args = parser.parse_args()
    if args.file_size_limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (args.file_size_limit, args.file_size_limit))
    upload, store, jobs = uploader(Path(args.data_dir), Path(args.files))
    if args.die == "before-publish":
        setattr(store, "publish", _die)
    elif args.die == "after-publish":
        setattr(jobs, "record_table", _die)
    try:
        result = upload.upload(UploadRequest(args.namespace, args.table, 0, 1, 4, args.drop, args.file))
    except Exception as exc:
        print(type(exc).__name__)
    else:
        print(result)


if __name__ == "__main__":
    main()
