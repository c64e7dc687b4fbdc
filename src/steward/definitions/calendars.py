"""Business calendars (definitions/calendars/*.yaml) and which interactions each applies to.

    name: london-support
    timezone: Europe/London
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: ["09:00-13:00"]}
    holidays: {country: GB, subdivision: ENG, extra: ["2026-12-24"]}
    applies_to: {queues: [billing, orders]}     # or vendors: [...], or default: true

An interaction takes the calendar naming its queue, else the one naming its vendor (or the
vendor's `calendar:` in vendors.yaml), else the default calendar; with none of these its
business time equals its calendar time (the clock never stops).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from steward.definitions.located_yaml import DefinitionIssue, load_model, only_comments
from steward.domain.calendar import WEEKDAYS, BusinessCalendar, Window, holiday_dates

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class Holidays(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str | None = None
    subdivision: str | None = None
    extra: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _known_country(self) -> Holidays:
        if self.country is None:
            if self.subdivision:
                raise ValueError("a subdivision needs a country")
            return self
        import holidays

        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise ValueError(f"unknown country {self.country!r} for holidays (ISO 3166 code such as GB, DE, PH)")
        if self.subdivision and self.subdivision not in supported[self.country]:
            raise ValueError(f"unknown subdivision {self.subdivision!r} of {self.country}")
        return self


class AppliesTo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    queues: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    default: bool = False


class CalendarDefinition(BaseModel):
    """One calendar file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    timezone: str
    hours: dict[str, tuple[str, ...]]
    holidays: Holidays = Field(default_factory=Holidays)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)")
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for days, ranges in value.items():
            weekdays(days)
            for text in ranges:
                parse_window(text)
        return value

    def windows(self) -> dict[int, tuple[Window, ...]]:
        result: dict[int, list[Window]] = {}
        for days, ranges in self.hours.items():
            for day in weekdays(days):
                result.setdefault(day, []).extend(parse_window(text) for text in ranges)
        return {day: tuple(sorted(windows, key=lambda w: w.opens)) for day, windows in result.items()}

    def build(self, years: range) -> BusinessCalendar:
        """The calendar with holidays resolved for `years`."""
        closed = set(self.holidays.extra)
        if self.holidays.country:
            closed |= holiday_dates(self.holidays.country, self.holidays.subdivision, years)
        return BusinessCalendar(self.name, self.timezone, self.windows(), frozenset(closed))


def weekdays(text: str) -> list[int]:
    """'mon-fri' -> [0..4]; 'sat' -> [5]; 'mon,wed' -> [0, 2]."""
    days: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{text!r}: days are mon, tue, wed, thu, fri, sat, sun or ranges such as mon-fri")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            raise ValueError(f"{text!r}: a day range runs forwards, e.g. mon-fri")
        days.extend(range(start, end + 1))
    return days


def parse_window(text: str) -> Window:
    """'08:00-12:00' -> Window; '22:00-06:00' runs overnight; '00:00-24:00' is the whole day."""
    match = _RANGE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r}: opening hours are written HH:MM-HH:MM, e.g. 08:00-12:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"{text!r}: not a time of day")
    closes = time(0, 0) if h2 == 24 else time(h2, m2)
    if (h1, m1) == (h2, m2):
        raise ValueError(f"{text!r}: opens and closes at the same time (use 00:00-24:00 for all day)")
    return Window(time(h1, m1), closes)


@dataclass(frozen=True)
class CalendarSet:
    """The workspace's calendars and the rules assigning them to interactions."""

    definitions: tuple[CalendarDefinition, ...] = ()
    vendor_calendars: tuple[tuple[str, str], ...] = ()
    """(vendor, calendar) pairs from vendors.yaml."""
    issues: tuple[DefinitionIssue, ...] = ()

    def named(self, name: str) -> CalendarDefinition:
        for definition in self.definitions:
            if definition.name == name:
                return definition
        raise KeyError(f"no calendar named {name!r} in definitions/calendars/")

    @property
    def by_queue(self) -> dict[str, str]:
        return {q: d.name for d in self.definitions for q in d.applies_to.queues}

    @property
    def by_vendor(self) -> dict[str, str]:
        rules = {v: d.name for d in self.definitions for v in d.applies_to.vendors}
        for vendor, calendar in self.vendor_calendars:
            rules.setdefault(vendor, calendar)
        return rules

    @property
    def default(self) -> str | None:
        defaults = [d.name for d in self.definitions if d.applies_to.default]
        return defaults[0] if defaults else None


def _double_claims(folder: Path, definitions: list[CalendarDefinition]) -> list[DefinitionIssue]:
    """A queue or vendor named by two calendars: which one applies would depend on file order."""
    issues = []
    for kind in ("queues", "vendors"):
        claimed: dict[str, str] = {}
        for definition in definitions:
            for name in getattr(definition.applies_to, kind):
                if name in claimed:
                    message = f"{kind[:-1]} {name!r} is claimed by calendars {claimed[name]!r} and {definition.name!r}"
                    issues.append(DefinitionIssue(folder, None, "", message))
                claimed.setdefault(name, definition.name)
    return issues


def load_calendars(folder: Path, vendor_calendars: tuple[tuple[str, str], ...] = ()) -> CalendarSet:
    """Every calendar file in `folder`; problems (with file:line) are collected, not raised."""
    definitions: list[CalendarDefinition] = []
    issues: list[DefinitionIssue] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        if only_comments(path):
            continue  # the commented example `steward init` writes
        loaded = load_model(path, CalendarDefinition)
        if isinstance(loaded, CalendarDefinition):
            definitions.append(loaded)
        else:
            issues.extend(loaded)
    names = [d.name for d in definitions]
    defaults = [d.name for d in definitions if d.applies_to.default]
    if len(defaults) > 1:
        issues.append(DefinitionIssue(folder, None, "", f"more than one default calendar: {', '.join(defaults)}"))
    for name in {n for n in names if names.count(n) > 1}:
        issues.append(DefinitionIssue(folder, None, "", f"calendar name {name!r} is used by more than one file"))
    issues.extend(_double_claims(folder, definitions))
    for vendor, calendar in vendor_calendars:
        if calendar not in names:
            issues.append(
                DefinitionIssue(
                    folder, None, "", f"vendor {vendor!r} names calendar {calendar!r}, which is not defined"
                )
            )
    return CalendarSet(tuple(definitions), vendor_calendars, tuple(issues))
