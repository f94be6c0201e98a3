"""What tells a staff member that work is waiting: a notification per event, and how each person wants to hear.

A notification names the case only by its link; the e-mail that announces it names nothing at all (services.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.records import Record, RecordQuerySet


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("an e-mail for each notification")
    DIGEST = "digest", _("one e-mail a day with everything waiting")


class StaffPreference(Record):
    """A staff member's language for e-mails and how they want to be told; without one, English (the site's
    language) and an e-mail at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_preference")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    delivery = models.CharField(_("e-mail notifications"), max_length=20, choices=Delivery.choices,
                                default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(default=timezone.now)


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("A case was assigned to you.")
    RETURNED = "returned", _("A case you investigated was returned to you after review.")
    APPROVED = "approved", _("The findings of a case you investigated were approved.")
    DECISION_DUE = "decision_due", _("A case is waiting for your discipline decision.")
    REFERRAL_DUE = "referral_due", _("A POST referral is due to be sent.")


class StaffNotificationQuerySet(RecordQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class StaffNotification(Record):
    """One event that needs `recipient`'s attention; read when they open it (or mark everything read)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    investigation = models.ForeignKey("investigations.Investigation", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey("referrals.Referral", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = StaffNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="staffnotice_unread")]


class DigestSent(Record):
    """The daily digest went to `recipient` on `day`: a second run that day sends nothing."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField()

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day")]
