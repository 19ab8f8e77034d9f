"""Runs that always finish: background work fanned out in batches that the database keeps track of.

A run (``pmo.models.Run``) and all its batches (``RunBatch``) are written in one transaction;
the batch tasks are sent to the broker once it commits. A worker marks its batch running, does
the work, and marks it done (in the work's own transaction for the kinds that are one
transaction); the run is complete when every batch has reported done, failed when the last
unfinished batch gave up after its attempts. The broker may lose messages (a Redis restart
without persistence) or refuse them (Redis down): the batch stays queued in the database, and
the sweeper (``pmo.sweep_runs``, every minute) sends again the batches that have not reported
within ``PMO_RUN_STALE_SECONDS``, up to ``PMO_RUN_MAX_ATTEMPTS`` starts each.

Apps register the kinds of run they start (``run_kinds``) in ``AppConfig.ready()``: a label and
what one batch does with its organisation and payload. A batch's work must be idempotent: a
batch sent again after it was done changes nothing, and one whose worker died runs again whole.
"""
