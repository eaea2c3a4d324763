"""The product's one durable job queue: outbound deliveries, article fetches, digests.

A job is a row written in the transaction of the change that asks for it (so a job is
never run for a change that rolled back, and never lost for one that committed), and run
by `corrigo worker` at least once: claimed under a lease, retried with exponential
back-off and jitter for about a day, then kept as a dead letter that an admin can send
again. See docs/decisions/0019-job-queue.md.
"""
