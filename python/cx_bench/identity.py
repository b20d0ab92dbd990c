"""Benchmark of probabilistic identity at scale, with its accuracy on known truth.

Contacts share common names (as real ones do) and each has a phone (88%) and an
email local part; the help-desk users to link are partly the same people under
another address (same local part, sometimes the same phone) and partly strangers.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from cx.identity import probabilistic_links
from cx_bench.clv import machine, replace_section

FIRST = np.array(["ann", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines",
                  "jonas", "karim", "lena", "marta", "noah", "olivia", "pablo", "rosa", "sofia",
                  "tom", "zoe"])  # fmt: skip
LAST = np.array(["smith", "muller", "martin", "garcia", "johnson", "schmidt", "bernard", "lopez",
                 "brown", "fischer", "dubois", "taylor", "weber", "moreau", "wilson", "nguyen",
                 "khan", "lee", "evans", "petit"])  # fmt: skip


@dataclass(frozen=True)
class Result:
    contacts: int
    candidates: int
    seconds: float
    links: int
    recall: float
    precision: float
    peak_rss_mb: float


def simulate(contacts: int, candidates: int, seed: int = 0) -> tuple[pa.Table, pa.Table, dict]:
    rng = np.random.default_rng(seed)
    first, last = rng.integers(0, 20, contacts), rng.integers(0, 20, contacts)
    phone_number = np.char.add("+1555", rng.integers(1_000_000, 9_999_999, contacts).astype(str))
    phones = np.where(rng.random(contacts) < 0.12, None, phone_number)
    local = np.char.add(np.char.add(np.char.add(FIRST[first], "."), LAST[last]),
                        np.arange(contacts).astype(str))  # fmt: skip
    contact_table = pa.table({
        "record_id": np.char.add("C", np.arange(contacts).astype(str)),
        "first_name": FIRST[first], "last_name": LAST[last],
        "phone": pa.array(phones.tolist(), pa.string()), "email_local": local,
    })  # fmt: skip
    person = rng.integers(0, contacts, candidates)
    same = rng.random(candidates) < 0.6
    shares_phone = same & (rng.random(candidates) < 0.5)
    candidate_table = pa.table({
        "record_id": np.arange(candidates).astype(str),
        "first_name": np.where(same, FIRST[first[person]], FIRST[rng.integers(0, 20, candidates)]),
        "last_name": np.where(same, LAST[last[person]], LAST[rng.integers(0, 20, candidates)]),
        "phone": pa.array(np.where(shares_phone, phones[person], None).tolist(), pa.string()),
        "email_local": np.where(same, local[person],
                                np.char.add("stranger", np.arange(candidates).astype(str))),
    })  # fmt: skip
    truth = {str(i): f"C{person[i]}" for i in range(candidates) if same[i]}
    return contact_table, candidate_table, truth


def run(contacts: int, candidates: int) -> Result:
    contact_table, candidate_table, truth = simulate(contacts, candidates)
    started = time.perf_counter()
    links = probabilistic_links(contact_table, candidate_table)
    seconds = time.perf_counter() - started
    found = dict(zip(links.column("record_id").to_pylist(),
                     links.column("customer_id").to_pylist(), strict=True))  # fmt: skip
    correct = sum(1 for record, customer in found.items() if truth.get(record) == customer)
    return Result(
        contacts, candidates, seconds, len(found), correct / max(len(truth), 1),
        correct / max(len(found), 1), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )  # fmt: skip


def format_result(result: Result) -> str:
    return (
        "| contacts | help-desk users to link | seconds | links | recall | precision |"
        " peak RSS (MB) |\n|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {result.contacts:,} | {result.candidates:,} | {result.seconds:.1f} |"
        f" {result.links:,} | {result.recall:.3f} | {result.precision:.3f} |"
        f" {result.peak_rss_mb:,.0f} |"
    )


def write_report(result: Result, path: Path) -> None:
    text = (
        "## Probabilistic identity\n\n"
        "`make bench-identity` (`cx-bench identity`): Splink links help-desk users the\n"
        "rules missed to contacts (`cx.identity`); 60% of the users are contacts under\n"
        "another address (same local part, half of them the same phone), 40% strangers;\n"
        "names come from 20 x 20 common ones. Measured on: "
        + machine()
        + ".\n\n"
        + format_result(result)
        + "\n"
    )
    replace_section(path, "Probabilistic identity", text)
