"""Personal data: which columns hold it, and what is published of it.

Every column that holds personal data is tagged in the YAML beside its model
or source, ``meta: {pii: <kind>}``, with one of :data:`KINDS`. The tag says
what the column holds; :func:`kind_by_name` is the naming rule a test applies
to every documented column, so that a new column named like personal data
cannot go untagged:

- ``email``: the name contains ``email``;
- ``phone``: the name contains ``phone``;
- ``address``: the name contains ``address``;
- ``name``: the name is ``name`` or ends in ``_name``, unless it names a thing
  (:data:`THING_NAMES`: ``survey_name``, ``file_name``, ...), not a person;
- ``free_text``: the name is one of :data:`FREE_TEXT_NAMES` (``comment``,
  ``body``, ``subject``, ...) or ends in one of :data:`FREE_TEXT_SUFFIXES`
  (``_comment``, ``_text``, ...); counts such as ``staff_public_comments`` or
  ``verbatims`` are numbers and do not match.

A name ending in ``_hash`` (``email_hash``, a keyed hash) holds a pseudonym,
not the data, and needs no tag.

A column may be tagged without matching the rule (a tag is never wrong to
add); a column that matches must carry a tag.

Publishing leaves out the columns of :data:`WITHHELD_KINDS` unless
``CX_PUBLISH_PII=1``; free text is published (the verbatims are the product)
and documented as possibly holding personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

KINDS = ("email", "phone", "name", "free_text", "address")
# Left out of the published BI file and Parquet unless CX_PUBLISH_PII=1.
WITHHELD_KINDS = ("email", "phone", "name", "address")

# Columns ending in `_name` that name a thing, not a person.
THING_NAMES = frozenset(
    {
        "survey_name",
        "file_name",
        "_file_name",
        "extract_name",
        "column_name",
        "table_name",
        "schema_name",
        "relation_name",
    }
)
FREE_TEXT_NAMES = frozenset(
    {"comment", "body", "subject", "title", "text", "note", "notes", "message"}
)
FREE_TEXT_SUFFIXES = ("_comment", "_text", "_body", "_title", "_subject", "_message", "_note")

# A keyed hash of personal data (``email_hash``) is a pseudonym, not the data.
PSEUDONYM_SUFFIXES = ("_hash",)

PUBLISH_PII_VARIABLE = "CX_PUBLISH_PII"
SALT_FILE_VARIABLE = "CX_EMAIL_HASH_SALT_FILE"
# Fewer bytes than this make a salt an enumerable secret.
MIN_SALT_BYTES = 16


def kind_by_name(column: str) -> str | None:
    """The kind of personal data a column named ``column`` holds by the naming rule
    (module docstring), or None when its name does not look like personal data."""
    name = column.lower()
    if name.endswith(PSEUDONYM_SUFFIXES):
        return None
    if "email" in name:
        return "email"
    if "phone" in name:
        return "phone"
    if "address" in name:
        return "address"
    if (name == "name" or name.endswith("_name")) and name not in THING_NAMES:
        return "name"
    if name in FREE_TEXT_NAMES or name.endswith(FREE_TEXT_SUFFIXES):
        return "free_text"
    return None


def publishes_personal_data() -> bool:
    """True when ``CX_PUBLISH_PII=1``: publish the withheld kinds as well."""
    value = os.environ.get(PUBLISH_PII_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{PUBLISH_PII_VARIABLE} must be 1 (publish personal data), 0 or unset.")
    return value == "1"


def normalised_email(email: str | None) -> str | None:
    """The email as identity resolution compares it: trimmed, lower case; None when empty."""
    if email is None:
        return None
    text = email.strip().lower()
    return text or None


@dataclass(frozen=True)
class Salt:
    """The secret the published email hash is keyed with, or why there is none."""

    value: bytes | None
    status: str


def email_hash_salt(repo_root: Path | None = None) -> Salt:
    """The salt of the published email hash: the bytes of the file ``CX_EMAIL_HASH_SALT_FILE``
    names, which must lie outside the repository. Without the setting there is no salt
    and the hash is null; a file that is missing, too short or inside the repository
    raises (a hash keyed with a known or guessable salt is no protection)."""
    setting = os.environ.get(SALT_FILE_VARIABLE, "").strip()
    if not setting:
        return Salt(None, f"no salt: {SALT_FILE_VARIABLE} is not set, so email_hash is null")
    path = Path(setting).expanduser().resolve()
    if repo_root is not None and path.is_relative_to(repo_root.resolve()):
        raise ValueError(
            f"{SALT_FILE_VARIABLE}={path} lies inside the repository: keep the salt outside it"
        )
    try:
        salt = path.read_bytes().strip()
    except OSError as error:
        raise ValueError(f"{SALT_FILE_VARIABLE}={path} cannot be read ({error.strerror})") from None
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(
            f"{SALT_FILE_VARIABLE}={path} holds {len(salt)} bytes; a salt needs at least"
            f" {MIN_SALT_BYTES} (e.g. `openssl rand -hex 32 > {path}`)"
        )
    return Salt(salt, f"HMAC-SHA-256 keyed with the salt in {SALT_FILE_VARIABLE}")


def email_hash(email: str | None, salt: bytes | None) -> str | None:
    """HMAC-SHA-256 (hex) of the normalised email keyed with ``salt``; None without an
    email or a salt."""
    normalised = normalised_email(email)
    if normalised is None or salt is None:
        return None
    return hmac.new(salt, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
