"""The public forms. Every message a filer can see is ours (not Django's), so every language has it."""

import datetime

from django import forms
from django.conf import settings
from django.core import validators
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from complaints import evidence as evidence_files
from complaints.models import BiasCharacteristic, Category, Complaint, FilerDemographics

from .templatetags.intake import file_size

REQUIRED = _("Please fill in this field.")
TOO_LONG = _("Please make this shorter.")
INVALID_DATE = _("Please enter a real date, or leave it empty and describe when it happened below.")
INVALID_TIME = _("Please enter a time like 14:30, or leave it empty.")
FUTURE_DATE = _("This date is in the future. Please check it.")
INVALID_EMAIL = _("Please enter an e-mail address like name@example.com, or leave it empty.")
INVALID_CHOICE = _("Please choose one of the options.")

FILER_ROLES = [
    (Complaint.FilerRole.HARMED_PERSON, _("It happened to me")),
    (Complaint.FilerRole.THIRD_PARTY, _("I saw it happen, or I am filing for someone else")),
    (Complaint.FilerRole.REPRESENTATIVE, _("I am a lawyer, advocate or guardian filing for the person it happened to")),
    (Complaint.FilerRole.ANONYMOUS, _("I want to stay anonymous (no name or contact details)")),
]

CONTACT_METHODS = [
    ("none", _("Only through the follow-up page with my code")),
    ("email", _("E-mail")),
    ("phone", _("Phone call")),
    ("text", _("Text message")),
    ("mail", _("Letter by post")),
]

ACCESSIBILITY_NEEDS = [
    ("interpreter", _("A spoken-language interpreter")),
    ("asl", _("A sign language (ASL) interpreter")),
    ("tty", _("TTY or relay service")),
    ("large_print", _("Large print")),
]


def _messages(**extra):
    return {"required": REQUIRED, "max_length": TOO_LONG, "invalid_choice": INVALID_CHOICE, **extra}


def max_size_text():
    return file_size(settings.EVIDENCE_MAX_FILE_SIZE)


def evidence_hint():
    return _(
        "Video, photos, audio recordings or PDF documents. You can choose several files. "
        "Each file can be up to %(size)s."
    ) % {"size": max_size_text()}


def refusal_message(upload):
    """The plain-language reason a file was refused."""
    name = upload.name
    if upload.refusal == evidence_files.TOO_LARGE:
        size = max_size_text()
        return _("“%(name)s” is too large. Each file can be up to %(size)s.") % {"name": name, "size": size}
    if upload.refusal == evidence_files.EMPTY:
        return _("“%(name)s” is empty.") % {"name": name}

    return _(
        "“%(name)s” is not a type of file we can accept. Please send video, photos, audio recordings or PDF documents."
    ) % {"name": name}


NUL_CHARACTER = _("Please type this again: it contains a character we cannot accept.")


class PublicForm(forms.Form):
    """A form whose inputs point (aria-describedby) at their hint and their error message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for validator in field.validators:
                if isinstance(validator, validators.ProhibitNullCharactersValidator):
                    validator.message = NUL_CHARACTER  # Django's own words are missing in some of our languages

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            ids = [f"id_{name}_helptext"] if field.help_text else []
            if name in self.errors:
                ids.append(f"id_{name}_error")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


ACCEPT = "video/*,image/*,audio/*,application/pdf,.pdf,.heic,.heif,.amr,.3gp,.mkv,.m4a,.aac"


INTERRUPTED = _("Your files did not arrive completely, so nothing was saved. "
                "Please check your connection and send the form again.")


def remove_metadata_field():
    """The filer's choice to have location, device and author data removed; offered to every filer, checked first.

    Unticking it sends nothing, as a browser does with any unticked box, so the field is not required.
    """
    return forms.BooleanField(
        label=_("Remove location, device and author details from my photos, videos and recordings"),
        required=False, initial=True,
        help_text=_("Photos, videos and recordings can carry hidden details: where they were made (GPS position), "
                    "the make, model and serial number of the phone or camera, and the name of its owner. If you "
                    "keep this box ticked, our staff work from a copy without these details. The file exactly as "
                    "you sent it is kept sealed: only an administrator or the investigator of your complaint can "
                    "open it, and only for a reason that is recorded. If you stay anonymous, this is always done."),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once; each one checked by complaints.evidence (type from content, size, not empty)."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", _messages())
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        uploads = [evidence_files.inspect(item) for item in uploads]
        errors = [refusal_message(item) for item in uploads if item.refusal]
        limit = settings.EVIDENCE_MAX_FILES_PER_COMPLAINT
        if len(uploads) > limit:
            errors.append(
                ngettext("You can attach up to %(limit)d file.", "You can attach up to %(limit)d files.", limit)
                % {"limit": limit}
            )
        if errors:
            raise forms.ValidationError(errors)
        return uploads


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category):
        return category.label()


class ComplaintForm(PublicForm):
    """What a filer can tell us. Only the account itself is required."""

    filer_role = forms.ChoiceField(
        label=_("Who is filing?"), choices=FILER_ROLES, widget=forms.RadioSelect,
        initial=Complaint.FilerRole.HARMED_PERSON, error_messages=_messages(),
    )
    # Not required by the field: an audio or video recording of the account may stand in for it (clean()).
    narrative = forms.CharField(
        label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 10}), max_length=50000, required=False,
        help_text=_("In your own words and your own language. Say who did what, and what you saw or heard."),
        error_messages=_messages(required=_("Please tell us what happened.")),
    )
    incident_date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If you know it."), error_messages=_messages(invalid=INVALID_DATE),
    )
    incident_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("If you know it."), error_messages=_messages(invalid=INVALID_TIME),
    )
    incident_time_description = forms.CharField(
        label=_("Or describe when"), required=False, max_length=300,
        help_text=_("For example: “last summer, around midnight”. There is no time limit."),
        error_messages=_messages(),
    )
    location = forms.CharField(
        label=_("Where did it happen?"), required=False, max_length=300,
        help_text=_("An address, a crossing, a landmark or a place name."), error_messages=_messages(),
    )
    categories = CategoryChoiceField(
        label=_("What kind of problem was it?"), required=False, queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple, help_text=_("Choose all that apply. You can also leave this empty."),
        error_messages=_messages(invalid_pk_value=INVALID_CHOICE, invalid_list=INVALID_CHOICE),
    )
    bias_characteristic = forms.ChoiceField(
        label=_("If you were treated differently because of who you are: because of what?"), required=False,
        choices=[("", _("I don't know, or I'd rather not say"))] + list(BiasCharacteristic.choices),
        help_text=_("Only if you chose “treated differently because of who I am” above."),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    officer_name = forms.CharField(
        label=_("Officer's name"), required=False, max_length=200, error_messages=_messages(),
    )
    officer_badge = forms.CharField(
        label=_("Badge or star number"), required=False, max_length=50, error_messages=_messages(),
    )
    officer_description = forms.CharField(
        label=_("What did the officers look like?"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: uniform or plain clothes, height, hair, anything you remember. "
                    "If there was more than one officer, describe each one."),
        error_messages=_messages(),
    )
    vehicle_number = forms.CharField(
        label=_("Police car or vehicle number"), required=False, max_length=50, error_messages=_messages(),
    )
    harmed_person_name = forms.CharField(
        label=_("Name of the person it happened to"), required=False, max_length=200,
        help_text=_("If you know it."), error_messages=_messages(),
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=200, error_messages=_messages())
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=50, error_messages=_messages())
    email = forms.EmailField(
        label=_("E-mail address"), required=False, max_length=254,
        error_messages=_messages(invalid=INVALID_EMAIL),
    )
    contact_method = forms.ChoiceField(
        label=_("How should we contact you?"), choices=CONTACT_METHODS, initial="none", required=False,
        widget=forms.RadioSelect, error_messages=_messages(),
    )
    preferred_language = forms.ChoiceField(
        label=_("Which language should we use with you?"), required=False, choices=(),
        error_messages=_messages(),
    )
    accessibility_needs = forms.MultipleChoiceField(
        label=_("Do you need any of these?"), required=False, choices=ACCESSIBILITY_NEEDS,
        widget=forms.CheckboxSelectMultiple, error_messages=_messages(invalid_list=INVALID_CHOICE),
    )
    accessibility_notes = forms.CharField(
        label=_("Anything else that would help you"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}), error_messages=_messages(),
    )
    age_band = forms.ChoiceField(
        label=_("Your age"), required=False, choices=[("", "—")] + list(FilerDemographics.AgeBand.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    race_ethnicity = forms.ChoiceField(
        label=_("Your race or ethnicity"), required=False,
        choices=[("", "—")] + list(FilerDemographics.RaceEthnicity.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    gender = forms.ChoiceField(
        label=_("Your gender"), required=False, choices=[("", "—")] + list(FilerDemographics.Gender.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    evidence = EvidenceField(label=_("Videos, photos, audio or documents"))
    remove_metadata = remove_metadata_field()
    # A field people never see or fill in; automated form-fillers do (no CAPTCHA: it would block real people).
    homepage = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    CONTACT_FIELDS = ("name", "phone", "email", "contact_method", "harmed_person_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        self.fields["preferred_language"].choices = [
            (code, _info_name(code)) for code, _name in settings.LANGUAGES
        ]
        # Whoever reads the form in a language most likely wants to hear from us in it.
        self.fields["preferred_language"].initial = get_language()
        self.fields["evidence"].help_text = evidence_hint()

    @property
    def is_bot(self):
        return bool(self.data.get("homepage"))

    def clean_incident_date(self):
        value = self.cleaned_data.get("incident_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("filer_role") == Complaint.FilerRole.ANONYMOUS:
            # Whatever the browser sent, an anonymous complaint keeps no name or contact.
            for field in self.CONTACT_FIELDS:
                cleaned[field] = self.fields[field].initial or ""
        recordings = [u for u in cleaned.get("evidence") or [] if u.kind in {"audio", "video"}]
        recordings += sorted({"audio", "video"} & getattr(self, "sent_ahead_kinds", set()))
        if not cleaned.get("narrative") and not recordings and "narrative" not in self.errors:
            self.add_error("narrative", _("Please tell us what happened."))
        if cleaned.get("contact_method") == "email" and not cleaned.get("email"):
            self.add_error("email", _("Please give your e-mail address, or choose another way to contact you."))
        if cleaned.get("contact_method") in {"phone", "text"} and not cleaned.get("phone"):
            self.add_error("phone", _("Please give your phone number, or choose another way to contact you."))
        return cleaned

    def incident_at(self):
        day, time = self.cleaned_data.get("incident_date"), self.cleaned_data.get("incident_time")
        if not day:
            return None
        moment = datetime.datetime.combine(day, time or datetime.time(12, 0))
        return timezone.make_aware(moment)

    def complaint_fields(self, language):
        """Keyword arguments for complaints.services.file_public_complaint."""
        data = self.cleaned_data
        role = data["filer_role"]
        parties, allegations = [], []
        if role != Complaint.FilerRole.ANONYMOUS:
            # A third-party filer may be a witness or someone filing for another person: "complainant" fits both.
            party_role = {Complaint.FilerRole.HARMED_PERSON: "harmed",
                          Complaint.FilerRole.REPRESENTATIVE: "representative"}.get(role, "complainant")
            parties.append({
                "role": party_role, "is_filer": True, "name": data["name"], "phone": data["phone"],
                "email": data["email"], "preferred_language": data.get("preferred_language") or language,
            })
            if role in {Complaint.FilerRole.THIRD_PARTY, Complaint.FilerRole.REPRESENTATIVE} and (
                    data["harmed_person_name"]):
                parties.append({"role": "harmed", "is_filer": False, "name": data["harmed_person_name"]})
        officer = {
            "officer_name_given": data["officer_name"], "officer_badge_given": data["officer_badge"],
            "officer_description": data["officer_description"], "vehicle_number": data["vehicle_number"],
        }
        categories = list(data["categories"])
        if not categories and any(officer.values()):
            categories = list(Category.objects.filter(code="other")[:1])
        for category in categories:
            characteristic = data.get("bias_characteristic", "") if category.code == "bias" else ""
            allegations.append({"category": category, "bias_characteristic": characteristic, **officer})
        return {
            "narrative": data["narrative"],
            "filer_role": role,
            "language": language,
            "preferred_language": data.get("preferred_language") or language,
            "incident_at": self.incident_at(),
            "incident_time_is_approximate": not data.get("incident_time"),
            "incident_time_description": data["incident_time_description"],
            "location": data["location"],
            "accessibility_needs": list(data["accessibility_needs"]),
            "accessibility_notes": data["accessibility_notes"],
            "contact_method": "" if role == Complaint.FilerRole.ANONYMOUS else (data["contact_method"] or "none"),
            "parties": parties,
            "allegations": allegations,
            "demographics": {field: data.get(field, "") for field in ("age_band", "race_ethnicity", "gender")},
            "remove_metadata": bool(data.get("remove_metadata")),
        }


def _info_name(code):
    from django.utils.translation import get_language_info

    return get_language_info(code)["name_local"]


class CodeInput(forms.TextInput):
    """A text box for the follow-up code that never writes a typed code back into a page."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
                          **(attrs or {})})

    def format_value(self, value):
        return None


class FollowUpLoginForm(PublicForm):
    reference = forms.CharField(
        label=_("Reference number"), max_length=40, help_text=_("For example: C-2026-000123"),
        error_messages=_messages(),
    )
    code = forms.CharField(
        label=_("Follow-up code"), max_length=80, widget=CodeInput,
        help_text=_("The private code from your receipt. Spaces, dashes and capital letters do not matter."),
        error_messages=_messages(),
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


# A message or retaliation report through the follow-up portal: about eight printed pages.
PORTAL_TEXT_LIMIT = 20000


class MessageForm(PublicForm):
    body = forms.CharField(
        label=_("Your message or new information"), max_length=PORTAL_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Answer a question from the investigator, or tell us something you remembered."),
        error_messages=_messages(required=_("Please write your message.")),
    )


class AddEvidenceForm(PublicForm):
    age_band = forms.ChoiceField(
        label=_("Your age"), required=False, choices=[("", "—")] + list(FilerDemographics.AgeBand.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    race_ethnicity = forms.ChoiceField(
        label=_("Your race or ethnicity"), required=False,
        choices=[("", "—")] + list(FilerDemographics.RaceEthnicity.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    gender = forms.ChoiceField(
        label=_("Your gender"), required=False, choices=[("", "—")] + list(FilerDemographics.Gender.choices),
        error_messages=_messages(invalid_choice=INVALID_CHOICE),
    )
    evidence = EvidenceField(label=_("Videos, photos, audio or documents"))
    remove_metadata = remove_metadata_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_hint()

    def clean_evidence(self):
        uploads = self.cleaned_data["evidence"]
        if not uploads and not self.data.getlist("resumable"):  # files sent ahead (intake.resumable) count too
            raise forms.ValidationError(_("Please choose at least one file."))
        return uploads


class RetaliationForm(PublicForm):
    description = forms.CharField(
        label=_("What happened?"), max_length=PORTAL_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell us who threatened, followed, punished or pressured you or your family, and when."),
        error_messages=_messages(required=_("Please tell us what happened.")),
    )


class NoticeForm(PublicForm):
    """An address for news only: kept apart from the complaint (notices.models.NoticeAddress)."""

    email = forms.EmailField(
        label=_("E-mail address"), required=False, max_length=254,
        error_messages=_messages(invalid=INVALID_EMAIL),
    )
    phone = forms.CharField(
        label=_("Mobile phone number for text messages"), required=False, max_length=50, error_messages=_messages(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.NOTICE_SMS_BACKEND:
            # Text messages are off: don't ask for a number we would not use.
            del self.fields["phone"]

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("phone", "")
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(_("Please give an e-mail address."))
        return cleaned
