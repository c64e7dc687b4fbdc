"""Workspace settings: `steward.toml`, read once when a workspace is opened."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = "steward.toml"

DEFAULT_SETTINGS = """\
# Steward workspace settings.
[workspace]
name = "{name}"

[warehouse]
# Analytics store, any Ibis backend URL. Relative DuckDB paths are inside the workspace.
#   duckdb:///warehouse.duckdb (default), postgres://user@host/db, ...
url = "duckdb:///warehouse.duckdb"
# Memory the embedded DuckDB may use before it spills to warehouse.duckdb.tmp/ (imports of 10M rows fit in 2GB).
memory_limit = "2GB"

[records]
# Operational records (import runs, evaluations, ...), any SQLAlchemy URL.
#   sqlite:///records.db (default), postgresql+psycopg://user@host/db
url = "sqlite:///records.db"

[import]
# Time zone assumed for timestamps that carry no offset, when `steward import` is not given --timezone.
# Leave empty to reject such timestamps instead of guessing.
default_timezone = ""

[reporting]
# Time zone of reporting periods: a "month" starts at local midnight here (IANA name).
timezone = "UTC"

[privacy]
# Key for pseudonymising customer identifiers (HMAC-SHA256); keep it out of version control.
pseudonym_key_file = ".steward/pseudonym.key"
"""


class SettingsError(Exception):
    """steward.toml is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Parsed workspace settings with paths made absolute."""

    root: Path
    name: str
    warehouse_url: str
    warehouse_memory_limit: str | None
    records_url: str
    default_timezone: str | None
    pseudonym_key_file: Path
    reporting_timezone: str = "UTC"

    @classmethod
    def load(cls, root: Path) -> Settings:
        path = root / SETTINGS_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise SettingsError(f"{path}: not a Steward workspace (run `steward init {root}`)") from error
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: {error}") from error

        def section(name: str) -> dict[str, object]:
            value = data.get(name, {})
            return value if isinstance(value, dict) else {}

        return cls(
            root=root,
            name=str(section("workspace").get("name", root.name)),
            warehouse_url=_absolute_url(str(section("warehouse").get("url", "duckdb:///warehouse.duckdb")), root),
            warehouse_memory_limit=str(section("warehouse").get("memory_limit", "2GB")) or None,
            records_url=_absolute_url(str(section("records").get("url", "sqlite:///records.db")), root),
            default_timezone=str(section("import").get("default_timezone", "")) or None,
            pseudonym_key_file=root / str(section("privacy").get("pseudonym_key_file", ".steward/pseudonym.key")),
            reporting_timezone=str(section("reporting").get("timezone", "UTC")) or "UTC",
        )


def _absolute_url(url: str, root: Path) -> str:
    """Resolve file-backed URLs (`duckdb:///x`, `sqlite:///x`) against the workspace folder."""
    for scheme in ("duckdb:///", "sqlite:///"):
        if url.startswith(scheme):
            rest = url.removeprefix(scheme)
            if rest in ("", ":memory:"):
                return url
            path = Path(rest)
            return scheme + str(path if path.is_absolute() else (root / path).resolve())
    return url
