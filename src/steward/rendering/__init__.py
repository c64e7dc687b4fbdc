"""rendering layer."""
