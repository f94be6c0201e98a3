"""Default categories and dispositions, seeded after every migrate (idempotent; never overwrites edits)."""

from django.utils.translation import gettext_noop as _

from .history import recorded

# (code, plain-language label shown to the public, agency code)
CATEGORIES = [
    ("excessive-force", _("Too much force was used"), "EF"),
    ("improper-stop-search", _("I was stopped, searched or had property taken without a good reason"), "SS"),
    ("false-arrest", _("I was arrested or held without a good reason"), "FA"),
    ("discourtesy", _("An officer was rude, insulting or used abusive language"), "DC"),
    ("bias", _("I was treated differently because of who I am (race, religion, gender, disability or other)"), "BI"),
    ("retaliation", _("Someone was punished or threatened for complaining or speaking up"), "RT"),
    ("failure-to-serve", _("Police did not help, or did not provide an interpreter or language help"), "FS"),
    ("sexual-misconduct", _("Sexual harassment or sexual misconduct"), "SM"),
    ("dishonesty", _("An officer lied or was dishonest"), "DH"),
    ("failure-to-intervene", _("An officer saw misconduct and did not stop it"), "FI"),
    ("body-camera", _("A body camera was not turned on or the video was not kept"), "BW"),
    ("other", _("Something else"), "OT"),
]

# (code, label, is_sustained, requires_reason)
DISPOSITIONS = [
    ("sustained", _("Sustained"), True, False),
    ("not-sustained", _("Not sustained"), False, False),
    ("exonerated", _("Exonerated"), False, False),
    ("unfounded", _("Unfounded"), False, False),
    ("policy-failure", _("Policy or training failure"), False, False),
    ("administratively-closed", _("Administratively closed"), False, True),
]


def ensure_defaults(**kwargs):
    from .models import Category, Disposition

    with recorded(label="system", reason="default categories and findings seeded"):
        for order, (code, label, agency_code) in enumerate(CATEGORIES, start=1):
            if not Category.objects.filter(code=code).exists():
                Category.objects.create(
                    code=code, public_label=label, agency_code=agency_code, sort_order=order * 10
                )
        for order, (code, label, sustained, reason) in enumerate(DISPOSITIONS, start=1):
            if not Disposition.objects.filter(code=code).exists():
                Disposition.objects.create(
                    code=code, public_label=label, is_sustained=sustained, requires_reason=reason,
                    sort_order=order * 10,
                )
