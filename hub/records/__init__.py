"""The hub's record of exchanges and documents: tables only (see models.py)."""
