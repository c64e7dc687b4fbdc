"""Pure logic and values: no I/O, no clock reads, no database or web imports."""
