"""Errors a staff member can cause in the workflow; each message (translated where raised) is shown as it is."""

from django.utils.translation import gettext as _


class WorkflowError(Exception):
    """Base of the workflow's named errors; str(error) is a message for the person who caused it."""


class NotPermitted(WorkflowError):
    """The user's role or assignment does not allow this action on this case."""


class TransitionNotAllowed(WorkflowError):
    """The case is not in a state from which this action can be taken."""


class StaleCase(WorkflowError):
    """Someone else changed the case after this user loaded it; nothing was saved."""


class ConflictOfInterest(WorkflowError):
    """The investigator may not work this case (accused, witness, same unit, chain of command, no attestation)."""

    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__(_("Conflict of interest: %(reasons)s") % {"reasons": "; ".join(map(str, self.reasons))})


class ReviewerIsInvestigator(WorkflowError):
    """A supervisor tried to review findings they made themselves."""


class MissingFindings(WorkflowError):
    """Some allegation has no finding yet."""


class RetaliationCheckMissing(WorkflowError):
    """The anti-retaliation check has not been recorded for this round of review."""


class MissingReason(WorkflowError):
    """The action needs a written reason and none was given."""


class InvalidDiscipline(WorkflowError):
    """The discipline decision does not fit the case (officer not sustained, missing days or reason...)."""


class InvalidInput(WorkflowError):
    """Something entered does not belong to this case or is incomplete."""


class OpenTasks(WorkflowError):
    """The case would close with tasks neither done nor carried over."""
