"""Outbound notifications: events about cases and notices, and the channels that carry them.

A change that others should hear of calls `notify.events.emit()` inside its own
transaction; that writes one job (corrigo.jobs). The worker turns the job into an Event
(its id and its data, fixed once, so every retry of every delivery says the same thing)
and hands it to each subscriber — webhooks, email — which queue their own deliveries.
"""
