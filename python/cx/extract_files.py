"""Which extract files a build has already loaded: each file's size and content hash.

An extract is one file or a folder of files (docs/contract/raw-extracts.md). The
loader lists every file with its size and a SHA-1 of its bytes; the base models
keep both on every line they typed (``materialized='extract_lines'``), so a run
types only files whose name, size or hash it has not seen. The hash is read in
1 MiB blocks, so a file of any size costs no more memory than that: measured on
a 296 MB CSV on the build machine, SHA-1 took 0.26-0.30 s, MD5 0.46-0.60 s and
DuckDB's ``md5(content)`` over ``read_blob`` 1.08-1.18 s with the whole file held
in memory as one value (DECISIONLOG.md, "Incremental: files, not facts").
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_BLOCK_BYTES = 1 << 20


def file_size(path: str) -> int:
    """The file's size in bytes."""
    return Path(path).stat().st_size


def file_hash(path: str) -> str:
    """The SHA-1 of the file's bytes, as 40 hex digits."""
    digest = hashlib.sha1(usedforsecurity=False)
    with Path(path).open("rb") as handle:
        while block := handle.read(_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def folder_entries(path: str) -> list[str] | None:
    """The paths of everything in the folder ``path`` (files and folders), in name order,
    each as ``path/name``; None when there is no such folder. Listed by the operating
    system rather than a glob pattern, so a folder whose name holds ``[``, ``*`` or ``?``
    is listed as it is."""
    if not Path(path).is_dir():
        return None
    return sorted(f"{path}/{entry.name}" for entry in os.scandir(path))
