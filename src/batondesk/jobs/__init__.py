"""Everything Baton does that is not an answer to a request, as jobs on a queue (Dramatiq):
the queue check (SLA breaches, aging, auto-assignment, snoozes, experiments' guardrails),
retention, outbound webhooks, the chat's follow-up email, the reports' stored tallies and CRM
syncs.

`definitions.py` says what each job does and why running it twice is harmless;
`schedule.py` when the periodic ones run; `queue.py` the queue itself: Redis and the
`baton worker` processes when BATON_JOB_QUEUE_URL is set, else in memory inside each API
process (the demo)."""

from batondesk.jobs.queue import JobQueue

__all__ = ["JobQueue"]
