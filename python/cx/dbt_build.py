"""``cx build``'s dbt steps in one process: parse once, ``dbt build``, then (only when the
build passed) ``dbt source freshness`` on the same parse.

``cx build`` runs this module as a process of its own (``python -P -m cx.dbt_build
<build arguments>``), so that dbt's DuckDB connection is closed when it exits and the
build database can be read, gated and published right after. Both steps print what
``dbt build`` and ``dbt source freshness --quiet`` print, and write what they write
(``run_results.json``, ``sources.json``); only the second Python start-up, dbt's
imports and its second read of the parse are saved (DECISIONLOG.md, "Freshness in
the build's dbt process").

Exit status: 0 when the build passed (whatever freshness found: ``cx build`` reads
``sources.json``), 1 when the parse or the build failed; freshness then does not run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

PARSE = ("parse", "--log-level", "warn")
FRESHNESS = ("source", "freshness", "--quiet")

# dbt's file log (logs/dbt.log) keeps what ran and what failed, not each statement dbt
# sent (each model's and test's SQL is in target/run). A user's DBT_LOG_LEVEL_FILE
# wins: debug adds the statements of hooks and materializations and stack traces
# (DECISIONLOG.md, "dbt's file log at info").
FILE_LOG_LEVEL = "info"


def command(build_arguments: Sequence[str]) -> list[str]:
    """The command that runs this module with ``build_arguments``, as ``cx build`` (and the
    benchmark, which times what it runs) starts it. -P: the working directory (the
    repository root) is not put on the module path."""
    return [sys.executable, "-P", "-m", "cx.dbt_build", *build_arguments]


def main(build_arguments: Sequence[str]) -> int:
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_LOG_LEVEL_FILE", FILE_LOG_LEVEL)
    # The parse shows its warnings and errors only: the build prints dbt's banner and what
    # it found, as `dbt build` does.
    parsed = dbtRunner().invoke(list(PARSE))
    if not parsed.success:
        return 1
    runner = dbtRunner(manifest=parsed.result)
    if not runner.invoke(["build", *build_arguments]).success:
        return 1
    runner.invoke(list(FRESHNESS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
