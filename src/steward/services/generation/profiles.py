"""Who the demo company is: its vendors, queues and how each vendor performs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ChannelService:
    """How fast a vendor serves one channel: medians of lognormal distributions."""

    first_response_s: float
    resolution_s: float
    handle_s: float


@dataclass(frozen=True)
class VendorProfile:
    """A team in the demo: where it sits and how well it works."""

    name: str
    kind: Literal["in_house", "bpo"]
    site: str
    timezone: str
    country: str
    languages: tuple[str, ...]
    share: float
    code: str
    email: ChannelService
    chat: ChannelService
    phone: ChannelService
    patience_s: float
    """Mean time callers wait before hanging up; with the answer speed it sets the abandon rate."""
    csat_shift: float
    repeat_rate: float
    reopen_rate: float
    forecast_bias: float
    forecast_noise: float
    lateness_s: float
    absence_rate: float
    roster_factor: float = 1.0
    """Agents rostered against those its plan needs: below 1 the vendor is understaffed by design."""

    def service(self, channel: str) -> ChannelService:
        return {"email": self.email, "chat": self.chat, "phone": self.phone}[channel]


def _minutes(first: float, resolution: float, handle: float) -> ChannelService:
    return ChannelService(first * 60, resolution * 60, handle)


DEFAULT_VENDORS: tuple[VendorProfile, ...] = (
    VendorProfile(
        "acme-inhouse",
        "in_house",
        "berlin-hq",
        "Europe/Berlin",
        "DE",
        ("de", "en"),
        0.25,
        "ih",
        email=_minutes(95, 600, 480),
        chat=_minutes(1.4, 22, 540),
        phone=ChannelService(12, 360, 360),
        patience_s=400,
        csat_shift=0.25,
        repeat_rate=0.10,
        reopen_rate=0.05,
        forecast_bias=0.0,
        forecast_noise=0.10,
        lateness_s=120,
        absence_rate=0.03,
    ),
    VendorProfile(
        "northwind",
        "bpo",
        "manila-1",
        "Asia/Manila",
        "PH",
        ("en",),
        0.35,
        "nw",
        email=_minutes(170, 900, 540),
        chat=_minutes(2.6, 30, 600),
        phone=ChannelService(13, 420, 420),
        patience_s=400,
        csat_shift=0.0,
        repeat_rate=0.14,
        reopen_rate=0.07,
        forecast_bias=-0.04,
        forecast_noise=0.14,
        lateness_s=240,
        absence_rate=0.05,
    ),
    VendorProfile(
        "bluecrest",
        "bpo",
        "lisbon-1",
        "Europe/Lisbon",
        "PT",
        ("en", "pt", "es"),
        0.20,
        "bc",
        email=_minutes(55, 420, 450),
        chat=_minutes(0.8, 18, 500),
        phone=ChannelService(7, 330, 330),
        patience_s=400,
        csat_shift=0.45,
        repeat_rate=0.07,
        reopen_rate=0.03,
        forecast_bias=0.01,
        forecast_noise=0.07,
        lateness_s=60,
        absence_rate=0.02,
    ),
    VendorProfile(
        "sunrise",
        "bpo",
        "bogota-1",
        "America/Bogota",
        "CO",
        ("es", "en"),
        0.20,
        "sr",
        email=_minutes(420, 1800, 600),
        chat=_minutes(5.5, 45, 700),
        phone=ChannelService(45, 520, 520),
        patience_s=400,
        csat_shift=-0.35,
        repeat_rate=0.22,
        reopen_rate=0.11,
        forecast_bias=-0.18,
        forecast_noise=0.22,
        lateness_s=480,
        absence_rate=0.09,
        roster_factor=0.7,
    ),
)

CHANNELS = ("email", "chat", "phone")
CHANNEL_SHARES = (0.45, 0.35, 0.20)

QUEUES: dict[str, tuple[float, tuple[str, ...]]] = {
    "billing": (0.28, ("refund", "double-charge", "invoice-copy", "payment-failed")),
    "orders": (0.30, ("where-is-my-order", "change-address", "cancel-order", "missing-item")),
    "technical": (0.18, ("login-problem", "app-crash", "password-reset", "bug-report")),
    "returns": (0.17, ("return-label", "refund-status", "damaged-item", "exchange")),
    "vip": (0.07, ("account-review", "complaint", "priority-delivery", "refund")),
}

PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_SHARES = (0.20, 0.60, 0.15, 0.05)

OPEN_HOURS: dict[str, dict[str, list[str]]] = {
    "in_house": {"mon-fri": ["08:00-12:30", "13:30-18:00"]},
    "bpo": {"mon-fri": ["07:00-22:00"], "sat": ["09:00-17:00"]},
}
"""Business hours per kind of vendor, in the vendor's own time zone: the hours rosters are planned for,
and the calendars the demo writes (services/demo.py)."""
