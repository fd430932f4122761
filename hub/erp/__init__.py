"""ERP: the connectors, their outbox and deliveries, the ERP REST API and SOAP service. What ERPs post
for capabilities above goes through `handlers`, filled by them at start-up."""
