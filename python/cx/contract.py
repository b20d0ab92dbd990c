"""The raw-extract contract: the files, their columns in order, keys, moments, and
which extracts are optional.

This module mirrors ``docs/contract/raw-extracts.md``. The dbt sources
(``models/staging/*/_*__sources.yml``) list the same columns; a pytest test keeps
the two in step, so the contract is written down twice but can never drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extract:
    """One contract file: ``<system>/<table>.csv``."""

    system: str
    table: str
    columns: tuple[str, ...]
    key: str
    # The column that says when a line came to be (a delta file's day); None when
    # the extract has none (its lines go to ``undated.csv``, python/cx/delta_files.py).
    moment: str | None = None
    # An optional extract may be left out of an extracts folder: it is then read as one
    # without lines (its dbt source table says `meta: {optional: true}`). Every other
    # extract must be delivered, header-only when it has no lines.
    optional: bool = False

    @property
    def relpath(self) -> str:
        return f"{self.system}/{self.table}.csv"


EXTRACTS: tuple[Extract, ...] = (
    Extract(
        "crm",
        "contacts",
        (
            "contact_id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "country",
            "segment",
            "acquisition_channel",
            "lifecycle_stage",
            "created_at",
            "updated_at",
            "is_deleted",
        ),
        "contact_id",
        moment="updated_at",
    ),
    Extract(
        "crm",
        "orders",
        (
            "order_id",
            "contact_id",
            "ordered_at",
            "channel",
            "status",
            "currency",
            "amount",
            "refunded_at",
        ),
        "order_id",
        moment="ordered_at",
    ),
    Extract(
        "crm",
        "activities",
        (
            "activity_id",
            "contact_id",
            "anonymous_id",
            "email",
            "activity_type",
            "channel",
            "campaign",
            "occurred_at",
        ),
        "activity_id",
        moment="occurred_at",
    ),
    Extract(
        "support",
        "users",
        ("user_id", "email", "name", "phone", "role", "external_id", "created_at"),
        "user_id",
        moment="created_at",
    ),
    Extract(
        "support",
        "tickets",
        (
            "ticket_id",
            "requester_id",
            "assignee_id",
            "created_at",
            "updated_at",
            "status",
            "priority",
            "channel",
            "subject",
            "tags",
            "satisfaction_rating",
            "satisfaction_comment",
        ),
        "ticket_id",
        moment="created_at",
    ),
    Extract(
        "support",
        "ticket_events",
        ("event_id", "ticket_id", "author_id", "event_type", "is_public", "status", "created_at"),
        "event_id",
        moment="created_at",
    ),
    Extract(
        "survey",
        "surveys",
        ("survey_id", "survey_name", "survey_type", "trigger"),
        "survey_id",
    ),
    Extract(
        "survey",
        "responses",
        (
            "response_id",
            "survey_id",
            "status",
            "recipient_email",
            "contact_ref",
            "distribution_channel",
            "start_date",
            "end_date",
            "recorded_date",
            "finished",
            "progress",
            "nps_score",
            "csat_score",
            "ces_score",
            "comment",
            "related_ticket_id",
            "related_order_id",
            "language",
        ),
        "response_id",
        moment="recorded_date",
    ),
    Extract(
        "reviews",
        "reviews",
        (
            "review_id",
            "platform",
            "reviewer_email",
            "order_reference",
            "rating",
            "title",
            "body",
            "language",
            "posted_at",
            "updated_at",
        ),
        "review_id",
        moment="updated_at",
        optional=True,
    ),
)

EXTRACTS_BY_PATH: dict[str, Extract] = {e.relpath: e for e in EXTRACTS}
