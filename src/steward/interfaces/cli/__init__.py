"""interfaces/cli layer."""
