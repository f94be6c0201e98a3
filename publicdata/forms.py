from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Unit

from .tables import period_bounds


class StatisticsFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(Unit.objects.order_by("name"), required=False, label=_("Unit of the officer"))
    district = forms.CharField(required=False, max_length=30, label=_("District"))
    category = forms.ModelChoiceField(Category.objects.order_by("sort_order"), required=False, label=_("Category"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        return data


class PublishForm(forms.Form):
    period = forms.CharField(label=_("Quarter or year"), max_length=7,
                             help_text=_("For example 2026Q4 for a quarter or 2026 for a whole year."))
    change_note = forms.CharField(label=_("What changed and why (only to publish a correction)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def clean_period(self):
        period = self.cleaned_data["period"].strip().upper()
        try:
            period_bounds(period)
        except ValueError:
            raise forms.ValidationError(_("Write a quarter like 2026Q4 or a year like 2026.")) from None
        return period
