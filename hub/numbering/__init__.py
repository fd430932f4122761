"""Numbering series: gap-free, strictly sequential numbers per series (invoices, purchase orders, ...)."""
