"""The hub's domain: canonical documents, exchange states and errors. No framework imports here."""
