"""ecpm: a keyboard-driven terminal app for running e-commerce projects."""

__version__ = "0.1.0"
