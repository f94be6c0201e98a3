"""What the public may know about a complaint's progress: the one function the intake site reads.

The intake app imports nothing else from investigations.
"""

from django.utils.translation import gettext_lazy as _


def public_status(complaint):
    """{'label': plain-language status, 'timeline': [{'at': datetime, 'label': str, 'reason': str}, ...]}.

    Only steps and reasons meant for the complainant; never staff names, notes or findings before they are final.
    """
    return {
        "label": _("Received: your complaint is waiting to be reviewed."),
        "timeline": [{"at": complaint.received_at, "label": _("Complaint received"), "reason": ""}],
    }
