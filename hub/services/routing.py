"""Moved to `hub.routing` (routing rules, rendering for partners, batching); these names stay here
for the modules that import them from their old place."""

from hub.routing.to_partners import find_partner, identity_for, receiver_of, render_again

__all__ = ["find_partner", "identity_for", "receiver_of", "render_again"]
