"""definitions layer."""
