"""Reconciliation: bank statements, Pix exports and remittance advices imported, and their payments
matched to the invoices the hub issued, every match with its evidence."""
