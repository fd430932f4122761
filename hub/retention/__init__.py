"""Retention: what the hub may forget, and when (raw bytes, rendered files, canonical documents)."""
