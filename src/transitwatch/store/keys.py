"""API keys for the HTTP service, kept hashed in the store's DuckDB file (table ``api_keys``).

A key reads ``tw_<key_id>_<secret>``: ``key_id`` (12 hex characters) finds the row, the
secret (32 random bytes, URL-safe base64) is checked against ``HMAC-SHA256(salt, secret)`` with
a per-key random salt, compared in constant time. The secret itself is never stored: it is
shown once, when the key is created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from transitwatch.errors import InputError, NotFoundError, StoreError
from transitwatch.store.attached import ClosesOnExit
from transitwatch.store.duck import connect

Role = Literal["analyst", "supervisor"]
ROLES: tuple[Role, ...] = ("analyst", "supervisor")
KEY_PREFIX = "tw_"

DDL = """CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    label TEXT
)"""

_SELECT = "SELECT key_id, prefix, role, created_at, revoked_at, label FROM api_keys"
# Verified against when the key id is unknown, so that a miss costs as much as a hit.
_DUMMY_SALT = "00" * 16


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What is known about a key (never its secret)."""

    key_id: str
    prefix: str  # the first characters of the full key, to recognise it in listings
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    label: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "prefix": self.prefix,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "label": self.label,
        }


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 12 or not secret or len(secret) > 100:
        return None
    return key_id, secret


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


class KeyStore(ClosesOnExit):
    """The ``api_keys`` table. Thread-safe: one lock around the connection."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = connect(self.path, read_only=read_only)  # StoreLockedError if held
        except (OSError, duckdb.Error) as exc:
            raise StoreError(f"cannot open the key table in {self.path}: {exc}") from exc
        if not read_only:
            try:
                self._con.execute(DDL)
            except duckdb.Error as exc:
                self._con.close()
                raise StoreError(f"cannot prepare the key table in {self.path}: {exc}") from exc

    def close(self) -> None:
        self._con.close()

    def create(self, role: str, label: str | None = None) -> tuple[ApiKey, str]:
        """A new key: its record and the full secret key, which is shown only this once."""
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        full = f"{KEY_PREFIX}{key_id}_{secret}"
        salt = secrets.token_hex(16)
        now = datetime.now(UTC)
        with self._lock:
            try:
                self._con.execute(
                    "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                    [
                        key_id,
                        full[:10],
                        salt,
                        _digest(salt, secret),
                        role,
                        now.replace(tzinfo=None),
                        label,
                    ],
                )
            except duckdb.Error as exc:
                raise StoreError(f"could not store the key in {self.path}: {exc}") from exc
        record = ApiKey(key_id, full[:10], role, now, None, label)
        return record, full

    def list(self) -> list[ApiKey]:
        with self._lock:
            rows = self._con.execute(f"{_SELECT} ORDER BY created_at, key_id").fetchall()
        return [self._row(r) for r in rows]

    def get(self, key_id: str) -> ApiKey:
        with self._lock:
            row = self._con.execute(f"{_SELECT} WHERE key_id = ?", [key_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no API key {key_id!r}")
        return self._row(row)

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (revoking twice keeps the first revocation time)."""
        self.get(key_id)
        with self._lock:
            self._con.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?",
                [datetime.now(UTC).replace(tzinfo=None), key_id],
            )
        return self.get(key_id)

    def verify(self, key: str) -> ApiKey | None:
        """The active key record for a full key, or None (unknown, wrong secret or revoked)."""
        parts = split_key(key)
        key_id, secret = parts if parts is not None else ("", key)
        with self._lock:
            row = self._con.execute(
                "SELECT key_id, prefix, role, created_at, revoked_at, label, salt, hash "
                "FROM api_keys WHERE key_id = ?",
                [key_id],
            ).fetchone()
        salt, expected = (row[6], row[7]) if row else (_DUMMY_SALT, "0" * 64)
        good = hmac.compare_digest(_digest(salt, secret), expected)
        if row is None or not good:
            return None
        record = self._row(row[:6])
        return record if record.active else None

    @staticmethod
    def _row(row: Any) -> ApiKey:
        key_id, prefix, role, created, revoked, label = row
        created_at = _utc(created)
        assert created_at is not None
        return ApiKey(key_id, prefix, role, created_at, _utc(revoked), label)
