"""importers layer."""
