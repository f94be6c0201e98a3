from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Referral


class DateInput(forms.DateInput):
    input_type = "date"


class SentForm(forms.Form):
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput, initial=timezone.localdate)
    method = forms.ChoiceField(label=_("How"), choices=Referral.Method.choices)
    board_reference = forms.CharField(label=_("Board's reference (if given)"), max_length=100, required=False)


class AcknowledgedForm(forms.Form):
    acknowledged_on = forms.DateField(label=_("Acknowledged on"), widget=DateInput, initial=timezone.localdate)
    board_reference = forms.CharField(label=_("Board's reference (if given)"), max_length=100, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why this referral does not apply"), widget=forms.Textarea(attrs={"rows": 3}))


class RangeForm(forms.Form):
    start = forms.DateField(label=_("Due from"), widget=DateInput)
    end = forms.DateField(label=_("Due to"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start of the range is after its end."))
        return data
