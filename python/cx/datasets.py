"""Public data sets written as contract extracts, to validate the warehouse end to end."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from cx.contract import EXTRACTS


def read_cdnow(path: Path | str) -> list[tuple[str, date, float]]:
    """CDNOW purchase lines: (customer id, purchase date, dollar value).

    The file is whitespace separated: ``master_id sample_id yyyymmdd cds dollars``.
    """
    lines = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 5:
            raise ValueError(f"{path}, line {number}: expected 5 fields, found {len(fields)}")
        master_id, _, yyyymmdd, _, dollars = fields
        purchased = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
        lines.append((master_id, purchased, float(dollars)))
    return lines


def write_cdnow_extracts(cdnow_path: Path | str, out_dir: Path | str) -> None:
    """Write CDNOW as the eight contract extracts.

    One contact per customer (created at the first purchase), one completed USD
    order per purchase line at midnight UTC; the other six extracts are
    header-only (no activity, no support, no surveys).
    """
    out = Path(out_dir)
    purchases = read_cdnow(cdnow_path)
    first_purchase: dict[str, date] = {}
    for customer, purchased, _ in purchases:
        first_purchase[customer] = min(purchased, first_purchase.get(customer, purchased))
    for extract in EXTRACTS:
        path = out / extract.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(extract.columns)
            if extract.relpath == "crm/contacts.csv":
                for customer, first in sorted(first_purchase.items()):
                    stamp = f"{first.isoformat()}T00:00:00Z"
                    writer.writerow(
                        [f"C{customer}", None, "CDNOW", f"customer {customer}", None, "US",
                         "consumer", "direct", "customer", stamp, stamp, "false"]
                    )  # fmt: skip
            elif extract.relpath == "crm/orders.csv":
                for number, (customer, purchased, dollars) in enumerate(purchases, 1):
                    writer.writerow(
                        [f"CDNOW{number:05d}", f"C{customer}",
                         f"{purchased.isoformat()}T00:00:00Z", "web", "completed", "USD",
                         f"{dollars:.2f}", None]
                    )  # fmt: skip
