"""Steward: govern outsourced customer support from raw helpdesk and telephony data."""

__version__ = "0.1.0"
