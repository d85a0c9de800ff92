"""archive-digitizer: pure stage functions that turn scanned act-record pages into field values."""

__version__ = "0.1.0"
