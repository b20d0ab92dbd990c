"""Probabilistic identity links: what links, what must not."""

from __future__ import annotations

import pyarrow as pa

from cx.identity import probabilistic_links


def _records(rows: list[tuple]) -> pa.Table:
    names = ["record_id", "first_name", "last_name", "phone", "email_local"]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


FIRST = ("Ann", "Bob", "José", "Dee", "Eve", "Finn", "Gus", "Hal", "Ida", "Jo")
LAST = ("Lee", "Roe", "García", "Poe", "Ng", "Fox", "Gray", "Hill", "Ito", "Jay")
# A population like a real one: 2,000 people sharing common names, each their own
# phone and address, so that agreement on a name is weak evidence and on a phone strong.
POPULATION = [
    (f"P{i}", FIRST[i % 10], LAST[(i // 10) % 10], f"+1444{i:07d}", f"person{i}")
    for i in range(2000)
]
CONTACTS = _records(
    [
        ("C1", "Ann", "Lee", "+15550102233", "ann.lee1"),
        ("C2", "Bob", "Roe", None, "bob.roe2"),
        ("C3", "José", "García", None, "jose.garcia3"),
        ("C4", "Dee", "Poe", "+15559999999", "dee"),
        ("C5", "Eve", "Ng", "+15551111111", "eve.ng5"),
        ("C6", "Eve", "Ng", "+15551111111", "eve.ng6"),
        *POPULATION,
    ]
)


def _links(candidates: list[tuple], contacts: pa.Table = CONTACTS) -> dict[str, str]:
    table = probabilistic_links(contacts, _records(candidates))
    assert all(p >= 0.9 for p in table.column("match_probability").to_pylist())
    return dict(zip(table.column("record_id").to_pylist(), table.column("customer_id").to_pylist(),
                    strict=True))  # fmt: skip


def test_name_and_phone_link():
    assert _links([("1", "ann", "LEE", "+15550102233", "ann.work")]) == {"1": "C1"}


def test_name_and_email_local_part_link_whatever_the_accents():
    assert _links([("2", "Jose", "Garcia", None, "jose.garcia3")]) == {"2": "C3"}


def test_a_name_alone_is_not_enough():
    assert _links([("3", "Bob", "Roe", None, "bobby")]) == {}


def test_two_equally_good_contacts_link_neither():
    assert _links([("5", "Eve", "Ng", "+15551111111", None)]) == {}


def test_a_contact_collecting_many_users_gets_none_of_them():
    switchboard = [(str(10 + i), "Dee", "Poe", "+15559999999", f"dee{i}") for i in range(6)]
    assert _links(switchboard) == {}
    assert _links(switchboard[:2]) == {"10": "C4", "11": "C4"}


def test_nothing_to_match():
    assert probabilistic_links(CONTACTS, _records([])).num_rows == 0
    assert probabilistic_links(_records([]), _records([("1", "a", "b", None, None)])).num_rows == 0


def test_accuracy_on_a_simulated_population():
    """20,000 contacts with common names; 2,000 users, 60% of them contacts under
    another address. Every true link is found and nothing else."""
    from cx_bench.identity import run

    result = run(contacts=20_000, candidates=2_000)
    assert result.recall > 0.99
    assert result.precision > 0.99
