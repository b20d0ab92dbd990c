"""The quality gate: Great Expectations suites over the built marts.

``suites`` says what is expected of each mart, ``cross_table`` holds the checks
that span tables, ``runner`` validates them all inside DuckDB and builds Data
Docs. Only marts that pass every expectation are published.
"""

from cx.gate.runner import Failure, GateResult, run_gate

__all__ = ["Failure", "GateResult", "run_gate"]
