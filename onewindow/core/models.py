"""Core models: the base every domain model extends, the audit trail and the scheduler's bookkeeping."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """A UUID primary key (never guessable, safe to expose) and creation / change times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One state change, append-only and hash-chained in its stream: ``hash = SM3(prev_hash + canonical entry)``.

    The trail is split into ``ONEWINDOW_AUDIT_STREAMS`` chains chosen by target, so writers on different
    records do not queue behind one lock. ``stream_seq`` is assigned under the stream's lock as previous + 1
    (not a database sequence), so a gap in a stream always means an entry was removed. ``seq`` numbers every
    entry in the order written (it may skip a number when a transaction rolls back on PostgreSQL).
    """

    seq = models.BigAutoField(primary_key=True)
    stream = models.PositiveSmallIntegerField(_("stream"), default=0)
    stream_seq = models.BigIntegerField(_("position in stream"), default=0)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]
        constraints = [
            models.UniqueConstraint(fields=["stream", "stream_seq"], name="core_auditentry_stream_position")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_label}"


class SchedulerLease(models.Model):
    """Who runs the periodic-job scheduler. One row per lease name; a holder must renew before it expires."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scheduler lease")

    def __str__(self) -> str:
        return f"{self.name} → {self.holder}"


class PeriodicJobRun(models.Model):
    """When the scheduler last enqueued each periodic job, so a restart neither skips nor repeats one."""

    name = models.CharField(max_length=200, primary_key=True)
    last_enqueued_at = models.DateTimeField()
    last_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job run")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A live task worker. It renews ``heartbeat_at`` while it runs, so the reaper can tell the tasks a dead
    worker left RUNNING from the long tasks of a live one (``core.queue``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task worker heartbeat")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class HandledOnce(models.Model):
    """A side effect that must happen once (a notification for one case event): its key is written in the same
    transaction as the effect, so a task that runs twice (retried after a reap, enqueued twice) does nothing
    the second time."""

    key = models.CharField(max_length=200, primary_key=True)
    handled_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("handled-once key")

    def __str__(self) -> str:
        return self.key
