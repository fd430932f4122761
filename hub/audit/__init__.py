"""Audit: the hash-chained trail every transition writes (service), its key and checkpoints (anchor),
the REST endpoint (api)."""
