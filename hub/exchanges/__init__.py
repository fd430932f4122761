"""Exchanges: a partner's file end to end: receive, sniff, process, translate, business rules,
documents and holds, acknowledgements, outbound, the mailbox; what ERPs post as documents (erp_inbound)."""
