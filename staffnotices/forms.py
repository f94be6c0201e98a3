from django import forms

from .models import StaffPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = StaffPreference
        fields = ["language", "delivery"]
        widgets = {"delivery": forms.RadioSelect}
