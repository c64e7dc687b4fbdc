"""The vendor list (definitions/vendors.yaml): the in-house team and each BPO partner."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, field_validator


class Vendor(BaseModel):
    """A team whose work Steward measures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Literal["in_house", "bpo"] = "bpo"
    sites: tuple[str, ...] = ()
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    calendar: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)")
        return value


class VendorFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    vendors: tuple[Vendor, ...] = ()


@dataclass(frozen=True)
class VendorList:
    """Vendors declared in the workspace, or the problems that stop the file from loading."""

    vendors: tuple[Vendor, ...] = ()
    issues: tuple[object, ...] = field(default=())


def load_vendors(path: Path) -> VendorList:
    """Load vendors.yaml; a missing file is an empty list, a broken one lists every problem with its line."""
    from steward.definitions.located_yaml import load_model

    if not path.exists():
        return VendorList()
    loaded = load_model(path, VendorFile)
    if isinstance(loaded, VendorFile):
        return VendorList(loaded.vendors or ())
    return VendorList(issues=tuple(loaded))
