"""Performance harness for ecpm (not installed). Run with ``make bench``."""
