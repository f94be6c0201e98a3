"""Named events of the workflow that other apps follow (referrals and early intervention re-evaluate on them).

Each is sent once per action by the service that performs it, inside its transaction and history reason, so
what a receiver writes is saved with the action or not at all. No model save signal carries a business rule.
"""

from django.dispatch import Signal

# Something the POST referral rules read was recorded: approved findings, a final discipline or a change to it,
# an officer's separation, the case closed. Arguments: investigation, event (what happened, for the history).
case_decided = Signal()


# Triage changed allegations (category or identified officer). Arguments: investigation, officer_ids (the officers
# named before and after the change).
allegations_classified = Signal()


def send_case_decided(investigation, event):
    case_decided.send(sender=investigation.__class__, investigation=investigation, event=event)
