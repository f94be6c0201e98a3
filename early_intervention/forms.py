"""Forms of the early-intervention pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FollowUpReview, Intervention


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("Required for escalating, a false positive and no action needed."))


class DateInput(forms.DateInput):
    input_type = "date"


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Intervention"), choices=Intervention.Kind.choices)
    given_by = forms.CharField(label=_("Given by"), max_length=200)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput)
    follow_up_due = forms.DateField(label=_("Follow-up review due"), widget=DateInput)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FollowUpForm(forms.Form):
    intervention = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpReview.Outcome.choices)
    notes = forms.CharField(label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)
    next_review_due = forms.DateField(label=_("Next review due (when monitoring goes on)"), widget=DateInput,
                                      required=False)
