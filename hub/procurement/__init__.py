"""Procurement: items, supplier terms and reorder rules; replenishment runs that draft purchase orders."""
