"""Errors a person can cause when publishing statistics; each carries a translated message."""

from django.utils.translation import gettext as _


class PublicDataError(Exception):
    pass


class AlreadyPublished(PublicDataError):
    def __init__(self, period):
        super().__init__(_("%(period)s is already published. To publish a correction, say what changed and why.")
                         % {"period": period})


class SuppressionFailed(PublicDataError):
    def __init__(self, keys):
        self.keys = keys
        super().__init__(_("The tables could not be protected from re-identification, so nothing was published."))


class PeriodNotOver(PublicDataError):
    def __init__(self, period):
        super().__init__(_("%(period)s has not ended yet. A period is published once it is over.") % {"period": period})
