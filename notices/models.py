"""Where to tell a filer that there is news, kept apart from the complaint.

An anonymous filer may leave an address for news only. It is a record of its own, never a Party of the complaint,
so no staff page, case file or export that reads the complaint's parties can show it (see policies.py).
"""

from django.db import models
from django.utils import timezone

from complaints.models import Complaint
from complaints.records import Record


class NoticeAddress(Record):
    """An e-mail address or phone number a filer gave only to hear that there is news. Stopping is a new state."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
