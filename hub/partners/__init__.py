"""Partners: partners and their identifiers (service), profiles and their help, credentials (API keys,
staff tokens), the hub's own identities."""
