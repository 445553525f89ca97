"""Connecting Baton to other systems: the signature scheme shared by outbound and inbound
webhooks, the destination (SSRF) checks, sending webhook requests, and pulling customer data
from a CRM's REST API. No database writes and no HTTP routes: those are in actions/ and api/."""
