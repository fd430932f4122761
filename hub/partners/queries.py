"""What other capabilities read of partners besides their tables: the hub's own identities (which
company an inbound file is addressed to, under which identity the hub answers) and the help for each
profile setting. Re-exported from the modules that hold them."""

from __future__ import annotations

from hub.partners.identities import UnbIdentity as UnbIdentity
from hub.partners.identities import addressed as addressed
from hub.partners.identities import default_identity as default_identity
from hub.partners.identities import sender_identity as sender_identity
from hub.partners.profile_help import help_for as help_for
