"""Named events of the record that other apps follow. Sent once per action, inside its transaction and under its
history reason, so what a receiver writes is saved with the action or not at all.

complaints depends on no other app: the investigations app opens a case on `complaint_filed`, and early
intervention re-evaluates the officers named on both.
"""

from django.dispatch import Signal

# A complaint was filed with its parties and allegations. Arguments: complaint.
complaint_filed = Signal()

# A complainant reported retaliation through the follow-up portal. Arguments: complaint, report.
retaliation_reported = Signal()
