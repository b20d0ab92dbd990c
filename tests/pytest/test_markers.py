"""The split between unit tests and tests that build (tests/pytest/conftest.py)."""

from __future__ import annotations

import pytest

from conftest import build_env


def test_a_unit_test_cannot_run_dbt(tmp_path):
    with pytest.raises(RuntimeError, match=r"must be marked pytest\.mark\.build"):
        build_env(tmp_path, None)


@pytest.mark.build
def test_a_build_test_gets_the_environment_of_its_own_build(tmp_path):
    env = build_env(tmp_path, None)
    assert env["CX_BUILD_DB"] == str(tmp_path / "build.duckdb")


def test_every_test_is_unit_or_build(request):
    for item in request.session.items:
        kinds = {m.name for m in item.iter_markers() if m.name in ("unit", "build")}
        assert len(kinds) == 1, item.nodeid
        if "tiny_build" in item.fixturenames:
            assert kinds == {"build"}, item.nodeid
