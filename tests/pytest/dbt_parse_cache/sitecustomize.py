"""One dbt parse for the whole test run: every test build reuses it (partial parsing).

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; ``build_env``
(conftest.py) puts this folder there, so only the dbt processes of test builds
(run by a test, or by ``cx``) load it. The product never does.

dbt reuses a parse (``partial_parse.msgpack``) only when its state check matches:
among others the profile's connection keys (dbt-duckdb's ``path``: every test
build has a database of its own) and the values of the environment variables
``dbt_project.yml`` reads (``CX_EXTRACTS_DIR``: every test its own extracts).
Neither value changes what dbt parses here, so for test builds the check compares:

- the profile with ``path`` left out, as long as no file of the project reads
  ``target.path`` (the database's name, which names every relation, stays in);
- an environment variable whose every use in ``dbt_project.yml`` is
  ``env_var('NAME', '') == ''`` by that comparison's result, not its value.

Everything else is dbt's own check, unchanged: a model that reads an
environment variable is reparsed when its value changes, a changed file is
reparsed, other ``--vars`` or another project parse in full. Each parse is kept
in ``CX_TEST_DBT_PARSE_CACHE`` under the state it was made in (atomic
replace, so test processes may share the folder), and a dbt run whose state
has a kept parse starts from it.
"""

from __future__ import annotations

import hashlib
import os
import pprint
import re
import shutil
import sys
import tempfile
from pathlib import Path

CACHE_VARIABLE = "CX_TEST_DBT_PARSE_CACHE"
PARSE_FILE = "partial_parse.msgpack"
# Where a project may read the database's path at parse time.
TARGET_PATH_USE = re.compile(r"target\s*(\.\s*path|\[\s*['\"]path['\"]\s*\]|\.get\(\s*['\"]path)")
# The files dbt parses (Python only as models; tests/pytest holds pytest's own).
PROJECT_FILES = {
    folder: {".sql", ".yml", ".yaml", ".py"} if folder == "models" else {".sql", ".yml", ".yaml"}
    for folder in ("models", "macros", "tests", "snapshots", "seeds", "analyses")
}


def empty_tests(project_yml: str) -> set[str]:
    """The environment variables that ``project_yml`` only compares with ``''``."""
    read = set(re.findall(r"env_var\(\s*['\"](\w+)['\"]", project_yml))
    return {
        name
        for name in read
        if len(re.findall(rf"env_var\(\s*['\"]{name}['\"]", project_yml))
        == len(re.findall(rf"env_var\(\s*'{name}'\s*,\s*''\s*\)\s*==\s*''", project_yml))
    }


def reads_target_path(project_root: Path) -> bool:
    """Whether a file dbt parses in ``project_root`` reads the database's path."""
    for folder, suffixes in PROJECT_FILES.items():
        for path in (project_root / folder).rglob("*"):
            if path.suffix in suffixes and TARGET_PATH_USE.search(
                path.read_text(encoding="utf-8", errors="replace")
            ):
                return True
    return False


def _install() -> None:
    from dbt.constants import DEFAULT_ENV_PLACEHOLDER
    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    cache = Path(os.environ[CACHE_VARIABLE])
    build_state_check = ManifestLoader.build_manifest_state_check
    read_saved = ManifestLoader.read_manifest_for_partial_parse
    write_saved = ManifestLoader.write_manifest_for_partial_parse

    def state_check(loader: ManifestLoader):
        state = build_state_check(loader)
        config = loader.root_project
        root = Path(config.project_root)
        compared = empty_tests((root / "dbt_project.yml").read_text(encoding="utf-8"))
        env_vars = {
            name: (
                f"== '': {value == ''}"
                if name in compared and value != DEFAULT_ENV_PLACEHOLDER
                else value
            )
            for name, value in config.project_env_vars.items()
        }
        # The same text dbt hashes (ManifestLoader.build_manifest_state_check).
        state.project_env_vars_hash = FileHash.from_contents(
            "".join(f"{name}:{env_vars[name]}|" for name in sorted(env_vars))
        )
        if not reads_target_path(root):
            connection = sorted(
                (key, value) for key, value in config.credentials.connection_info() if key != "path"
            )
            state.profile_hash = FileHash.from_contents(pprint.pformat(connection))
        return state

    def kept_parse(loader: ManifestLoader) -> Path:
        state = loader.manifest.state_check
        key = "\x00".join(
            [
                str(loader.root_project.project_root),
                state.vars_hash.checksum,
                state.profile_hash.checksum,
                state.project_env_vars_hash.checksum,
                *(
                    f"{name}:{state.project_hashes[name].checksum}"
                    for name in sorted(state.project_hashes)
                ),
            ]
        )
        return cache / f"{hashlib.sha256(key.encode()).hexdigest()}.msgpack"

    def target_parse(loader: ManifestLoader) -> Path:
        return Path(loader.root_project.project_target_path) / PARSE_FILE

    def read(loader: ManifestLoader):
        kept = kept_parse(loader)
        if kept.exists():
            target = target_parse(loader)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept, target)
        return read_saved(loader)

    def write(loader: ManifestLoader) -> None:
        write_saved(loader)
        cache.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=cache, suffix=".part")
        os.close(handle)
        shutil.copyfile(target_parse(loader), partial)
        os.replace(partial, kept_parse(loader))

    ManifestLoader.build_manifest_state_check = state_check
    ManifestLoader.read_manifest_for_partial_parse = read
    ManifestLoader.write_manifest_for_partial_parse = write


def runs_dbt(argv: list[str]) -> bool:
    """Whether the Python command line ``argv`` (``sys.orig_argv``) runs dbt: its ``dbt``
    script, or ``cx build``'s dbt process (``python -m cx.dbt_build``)."""
    if "-m" in argv[1:-1]:
        return argv[argv.index("-m", 1) + 1] == "cx.dbt_build"
    return len(argv) > 1 and Path(argv[1]).name == "dbt"


if os.environ.get(CACHE_VARIABLE) and runs_dbt(sys.orig_argv):
    _install()
