"""The intake desk: staff enter a complaint received by phone, in person, by mail or as an ASL video.

The filer gets what an online filer gets: a reference, a follow-up code shown once (printed or read out) and the
receipt in their language. The code is never stored in plain text, so this page is the only place it appears.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from complaints import evidence as evidence_files
from complaints.models import Category, Complaint
from complaints.services import enter_received_complaint

from . import policies
from .views import staff_required

CHANNELS = [
    (Complaint.Channel.PHONE, _("By phone")),
    (Complaint.Channel.WALK_IN, _("In person")),
    (Complaint.Channel.MAIL, _("By mail")),
    (Complaint.Channel.ASL_VIDEO, _("As an ASL video")),
]
PARTY_ROLE = {
    Complaint.FilerRole.HARMED_PERSON: "harmed",
    Complaint.FilerRole.THIRD_PARTY: "complainant",
    Complaint.FilerRole.REPRESENTATIVE: "representative",
}


class StaffIntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("How the complaint came in"), choices=CHANNELS, widget=forms.RadioSelect)
    filer_role = forms.ChoiceField(label=_("Who is filing"), choices=Complaint.FilerRole.choices,
                                   widget=forms.RadioSelect)
    name = forms.CharField(label=_("Filer's name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=50)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    address = forms.CharField(label=_("Postal address (for a receipt by mail)"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))
    harmed_person_name = forms.CharField(label=_("Name of the person it happened to, if someone else"),
                                         required=False, max_length=200)
    preferred_language = forms.ChoiceField(label=_("The filer's language"), choices=())
    narrative = forms.CharField(
        label=_("What happened, in the filer's words"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("For a call or a visit, write as close to the filer's own words as you can. "
                    "For a letter or a video, attach it below and summarise it here."),
    )
    categories = forms.ModelMultipleChoiceField(label=_("Kinds of conduct"), queryset=Category.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    officer_name = forms.CharField(label=_("Officer's name or badge, if known"), required=False, max_length=200)
    evidence = forms.FileField(label=_("The letter, the ASL video or other files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        self.fields["categories"].label_from_instance = lambda category: category.label()
        self.fields["preferred_language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            upload = evidence_files.inspect(upload)
            if upload.refusal:
                raise forms.ValidationError(_("This file cannot be added: it is empty, too large or not a video, "
                                              "photo, audio recording or PDF."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == Complaint.Channel.ASL_VIDEO and not cleaned.get("evidence") and not self.errors:
            self.add_error("evidence", _("Please attach the ASL video."))
        return cleaned

    def complaint_fields(self):
        data = self.cleaned_data
        role = data["filer_role"]
        parties = []
        if role != Complaint.FilerRole.ANONYMOUS:
            parties.append({"role": PARTY_ROLE[role], "is_filer": True, "name": data["name"], "phone": data["phone"],
                            "email": data["email"], "address": data["address"],
                            "preferred_language": data["preferred_language"]})
            if role != Complaint.FilerRole.HARMED_PERSON and data["harmed_person_name"]:
                parties.append({"role": "harmed", "is_filer": False, "name": data["harmed_person_name"]})
        allegations = [{"category": c, "officer_name_given": data["officer_name"]} for c in data["categories"]]
        accessibility = ["asl"] if data["channel"] == Complaint.Channel.ASL_VIDEO else []
        return {
            "narrative": data["narrative"], "filer_role": role, "channel": data["channel"],
            "language": data["preferred_language"], "preferred_language": data["preferred_language"],
            "accessibility_needs": accessibility, "contact_method": "" if role == Complaint.FilerRole.ANONYMOUS
            else ("email" if data["email"] else "none"),
            "parties": parties, "allegations": allegations,
        }


@staff_required
def enter_complaint(request):
    if not policies.may_enter_complaint(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "investigations/intake_entry.html", {"form": StaffIntakeForm()})
    form = StaffIntakeForm(request.POST, request.FILES)
    if evidence_files.upload_was_interrupted(request) or not form.is_valid():
        if evidence_files.upload_was_interrupted(request):
            form.add_error(None, _("The file did not arrive completely. Nothing was saved; please attach it again."))
        return render(request, "investigations/intake_entry.html", {"form": form}, status=400)
    upload = form.cleaned_data.get("evidence")
    stored = [evidence_files.store(upload)] if upload else []
    complaint, code = enter_received_complaint(by=request.user, stored_files=stored, **form.complaint_fields())
    response = render(request, "investigations/intake_receipt.html", {
        "complaint": complaint, "code": code, "spoken_code": " – ".join(" ".join(group) for group in code.split("-")),
        "language": complaint.preferred_language,
    })
    add_never_cache_headers(response)  # the page holds the follow-up code: no copy in any cache
    return response
