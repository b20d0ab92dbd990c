"""Benchmarks of the CX warehouse: tools that time the product, not part of it.

``cx-bench pipeline|clv|gate|identity`` (``make bench``, ``bench-clv``,
``bench-gate``, ``bench-identity``) write their tables into ``docs/benchmarks.md``.
"""
