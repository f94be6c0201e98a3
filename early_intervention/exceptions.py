"""Errors a user can cause in early intervention; str(error) is a translated message for them."""


class EarlyInterventionError(Exception):
    """Base of the named errors here."""


class NotPermitted(EarlyInterventionError):
    """The user's role, or a conflict with the officer, does not allow this."""


class TransitionNotAllowed(EarlyInterventionError):
    """The alert is not in a state from which this can be done."""


class MissingReason(EarlyInterventionError):
    """The action needs a written reason and none was given."""


class InvalidInput(EarlyInterventionError):
    """Something entered is incomplete or does not fit."""


class ImportRefused(EarlyInterventionError):
    """An import file has bad rows; nothing was imported. `problems` lists them with their line numbers."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
