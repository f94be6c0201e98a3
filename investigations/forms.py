"""Forms of the staff workspace. Each carries the case state it was shown in, so a stale form is recognised."""

from html import escape

from django import forms
from django.contrib.auth import get_user_model
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from complaints import evidence as evidence_files
from complaints import roles
from complaints.models import (
    BiasCharacteristic,
    Category,
    Complaint,
    ComplaintLink,
    CustodyRecord,
    Disposition,
    EvidenceSource,
    Officer,
    Unit,
)

from . import search
from .exceptions import InvalidInput
from .models import DisciplineDecision, Interview, State


class CaseForm(forms.Form):
    """Base: remembers the state of the case when the form was shown (optimistic locking)."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput, required=False)


class ReasonForm(CaseForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SealedOriginalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the original?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_reason_helptext"}),
        help_text=_("Recorded with your name in the evidence access log and the case file."),
        error_messages={"required": _("Say why you need the original with its location and device data.")},
    )


class PublicReasonForm(ReasonForm):
    public_reason = forms.CharField(
        label=_("Reason the complainant will read"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("Plain language; shown in the follow-up portal. No names of staff or officers."),
    )


class OpenTasksForm(forms.Form):
    """A form that closes the case: every open task is listed and must be marked done or carried over."""

    TASK_DECISIONS = [("done", _("Done (close the task)")), ("carried_over", _("Carried over (still to do)"))]

    def __init__(self, *args, open_tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_tasks = list(open_tasks)
        for task in self.open_tasks:
            self.fields[f"task_{task.pk}"] = forms.ChoiceField(
                choices=self.TASK_DECISIONS, widget=forms.RadioSelect, label=task.title,
                error_messages={"required": _("Say whether this open task is done or carried over.")})

    def task_fields(self):
        return [self[f"task_{task.pk}"] for task in self.open_tasks]

    def task_decisions(self):
        """{task: 'done' or 'carried_over'} for the open tasks listed on the form."""
        return {task: self.cleaned_data[f"task_{task.pk}"] for task in self.open_tasks}


class ClosingForm(OpenTasksForm, ReasonForm):
    pass


class AdministrativeCloseForm(OpenTasksForm, PublicReasonForm):
    pass


class ReferForm(OpenTasksForm, PublicReasonForm):
    referred_to = forms.CharField(label=_("Referred to (agency)"), max_length=200, required=False)


class AssignForm(CaseForm):
    investigator = forms.ModelChoiceField(queryset=None, label=_("Investigator"))
    attested = forms.BooleanField(
        label=_("The investigator attests to no personal relationship with anyone involved"), required=False
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, investigators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = investigators


class TriageForm(ReasonForm):
    related_reference = forms.CharField(label=_("Related or duplicate complaint (reference)"), required=False)

    def clean_related_reference(self):
        """The related complaint (or None) for the reference typed."""
        reference = self.cleaned_data["related_reference"].strip()
        if not reference:
            return None
        related = Complaint.objects.filter(reference=reference).first()
        if related is None:
            raise forms.ValidationError(_("No complaint has that reference."))
        return related

    def __init__(self, *args, allegations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allegations = list(allegations)
        categories = Category.objects.filter(active=True)
        officers = Officer.objects.select_related("unit")
        for allegation in self.allegations:
            self.fields[f"category_{allegation.pk}"] = forms.ModelChoiceField(
                categories, initial=allegation.category_id, label=_("Category"))
            self.fields[f"officer_{allegation.pk}"] = forms.ModelChoiceField(
                officers, initial=allegation.officer_id, required=False, label=_("Officer"))
            self.fields[f"characteristic_{allegation.pk}"] = forms.ChoiceField(
                choices=[("", "—")] + list(BiasCharacteristic.choices), initial=allegation.bias_characteristic,
                required=False, label=_("If bias: treated differently for"))

    def allegation_rows(self):
        return [(a, self[f"category_{a.pk}"], self[f"officer_{a.pk}"], self[f"characteristic_{a.pk}"])
                for a in self.allegations]

    def allegation_changes(self):
        changes = {}
        for a in self.allegations:
            category = self.cleaned_data[f"category_{a.pk}"]
            changes[a.pk] = {"category": category, "officer": self.cleaned_data[f"officer_{a.pk}"],
                             # Only a bias allegation says what the person was treated differently for.
                             "bias_characteristic": (self.cleaned_data[f"characteristic_{a.pk}"]
                                                     if category.code == "bias" else "")}
        return changes


class FindingForm(forms.Form):
    allegation = forms.IntegerField(widget=forms.HiddenInput)
    disposition = forms.ModelChoiceField(Disposition.objects.filter(active=True), label=_("Finding"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class CarryOverForm(forms.Form):
    note = forms.CharField(label=_("Why it is carried over"), required=False,
                           widget=forms.TextInput(attrs={"size": 30}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message to the complainant"), widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.CharField(label=_("Language the message is written in"), max_length=10)


class TranslationForm(forms.Form):
    language = forms.CharField(label=_("Language of the translation"), max_length=10, initial="en")
    text = forms.CharField(label=_("Translation"), widget=forms.Textarea(attrs={"rows": 5}))


class WitnessOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(Officer.objects.all(), label=_("Witness officer"))


class InterviewForm(forms.Form):
    interviewee = forms.CharField(label=_("Who"), max_length=200)
    interviewee_role = forms.ChoiceField(choices=Interview.IntervieweeRole.choices, label=_("As"))
    held_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    kind = forms.ChoiceField(choices=Interview.Kind.choices, label=_("How"))
    rights_notice = forms.ChoiceField(choices=Interview.RightsNotice.choices, label=_("Rights notice"))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SeparationForm(forms.Form):
    officer = forms.ModelChoiceField(Officer.objects.none(), label=_("Officer"))
    separation_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(choices=Officer.SeparationReason.choices, label=_("Reason"))
    notice_served = forms.BooleanField(label=_("Had been served notice of this investigation"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officer"].queryset = officers


class DisciplineForm(CaseForm):
    officer = forms.ModelChoiceField(Officer.objects.none(), label=_("Officer"))
    outcome = forms.ChoiceField(choices=DisciplineDecision.Outcome.choices, label=_("Outcome"))
    suspension_days = forms.IntegerField(label=_("Suspension days"), required=False, min_value=1)
    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officer"].queryset = officers


class DisciplineChangeForm(forms.Form):
    original = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[c for c in DisciplineDecision.Kind.choices if c[0] != "final"],
                             label=_("Changed by"))
    outcome = forms.ChoiceField(choices=DisciplineDecision.Outcome.choices, label=_("New outcome"))
    suspension_days = forms.IntegerField(label=_("Suspension days"), required=False, min_value=1)
    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RetaliationCheckForm(CaseForm):
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for party in self.people:
            self.fields[f"asked_{party.pk}"] = forms.BooleanField(
                label=_("Asked about retaliation"), required=False)
            self.fields[f"contact_{party.pk}"] = forms.BooleanField(
                label=_("Other contact with an accused officer found"), required=False)
            self.fields[f"described_{party.pk}"] = forms.BooleanField(
                label=_("Described retaliation"), required=False)
            self.fields[f"notes_{party.pk}"] = forms.CharField(label=_("Notes"), required=False)

    def person_rows(self):
        return [(p, [self[f"{k}_{p.pk}"] for k in ("asked", "contact", "described", "notes")]) for p in self.people]

    def answers(self):
        data = self.cleaned_data
        return {p.pk: {"asked": data[f"asked_{p.pk}"], "contact_found": data[f"contact_{p.pk}"],
                       "retaliation_described": data[f"described_{p.pk}"], "notes": data[f"notes_{p.pk}"]}
                for p in self.people}


class PlainSelect(forms.Select):
    """A <select> whose options are joined here, each value escaped, instead of a template per option: the search
    form's lists (categories, investigators, units, findings, states) cost its page a third of its time that way.
    The HTML is what Django's select.html and select_option.html give."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(str(widget["name"]))}"{_attributes(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(str(group_name))}">')
            for option in group_choices:
                parts.append(f'<option value="{escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                             f'{escape(str(option["label"]))}</option>')
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value is escaped)


def _attributes(attrs):
    """What django/forms/widgets/attrs.html gives: ` name="value"`, the bare name for True, nothing for False."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items() if value is not False)


class ListedChoices(forms.models.ModelChoiceIterator):
    """The choices of a ModelChoiceField read with one plain query: Django's iterator() opens a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE: three round trips per list)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices


class InvestigatorChoiceField(ListedChoiceField):
    def label_from_instance(self, obj):
        return obj.get_username()


class SearchForm(forms.Form):
    words = forms.CharField(
        label=_("Words"), required=False, max_length=200,
        help_text=_('Found in the account, its translations, notes and interview summaries. Use "quotation '
                    'marks" for a phrase, or between alternatives, and a minus sign before a word to leave out.'))
    reference = forms.CharField(label=_("Reference"), required=False)
    officer = forms.CharField(label=_("Officer (badge or last name)"), required=False)
    name = forms.CharField(label=_("Person's name"), required=False)
    category = ListedChoiceField(Category.objects.all(), label=_("Category"), required=False,
                                      to_field_name="code", widget=PlainSelect)
    status = forms.ChoiceField(choices=[("", "—")] + list(State.choices), label=_("Status"), required=False,
                               widget=PlainSelect)
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("Received to"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    investigator = InvestigatorChoiceField(
        get_user_model().objects.filter(groups__name=roles.INVESTIGATOR).order_by("username"),
        label=_("Investigator"), required=False, widget=PlainSelect)
    unit = ListedChoiceField(Unit.objects.order_by("name"), label=_("Unit of an accused officer"),
                                  required=False, widget=PlainSelect)
    district = forms.CharField(label=_("District"), required=False, max_length=30)
    finding = ListedChoiceField(Disposition.objects.order_by("sort_order", "pk"), to_field_name="code",
                                     label=_("Finding (recommended or approved)"), required=False,
                                     widget=PlainSelect)

    def clean_words(self):
        text = self.cleaned_data["words"].strip()
        if not text:
            return None
        try:
            return search.parse_words(text)
        except InvalidInput as error:
            raise forms.ValidationError(str(error)) from None


# -- evidence staff gather, its custody, linked complaints (issue 12) ---------------------------------------


def _staff_accounts():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


class _ReceivedForm(forms.Form):
    """Where the evidence came from and from whom: a staff member or someone outside (the evidence custodian)."""

    source = forms.ChoiceField(label=_("What it is"), choices=EvidenceSource.choices)
    received_from = forms.ModelChoiceField(queryset=None, label=_("Received from (staff member)"), required=False)
    received_from_name = forms.CharField(
        label=_("or received from (name and role, for someone outside the system)"), max_length=200, required=False,
        help_text=_("For example: the evidence custodian, a hospital records office."))
    received_at = forms.DateTimeField(label=_("Received at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_from"].queryset = _staff_accounts()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("received_from") and not (cleaned.get("received_from_name") or "").strip():
            self.add_error("received_from_name", _("Say whom the evidence was received from."))
        return cleaned


class StaffEvidenceForm(_ReceivedForm):
    file = forms.FileField(label=_("File (video, photo, audio or PDF)"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["file", "source", "description", "received_from", "received_from_name", "received_at", "notes"]

    def clean_file(self):
        upload = evidence_files.inspect(self.cleaned_data["file"])
        if upload.refusal:
            raise forms.ValidationError(_("This file cannot be added: it is empty, too large or not a video, "
                                          "photo, audio recording or PDF."))
        return upload


class PhysicalEvidenceForm(_ReceivedForm):
    description = forms.CharField(label=_("Description of the item"), widget=forms.Textarea(attrs={"rows": 2}))
    storage_location = forms.CharField(label=_("Storage location"), max_length=200)
    seal_number = forms.CharField(label=_("Seal number"), max_length=60, required=False)

    field_order = ["description", "source", "storage_location", "seal_number", "received_from",
                   "received_from_name", "received_at", "notes"]


class CustodyForm(forms.Form):
    """A later custody step of one file (`evidence`) or item (`item`) of the case."""

    KINDS = [c for c in CustodyRecord.Kind.choices if c[0] != CustodyRecord.Kind.RECEIVED]
    SEAL = [("", _("no seal / not a check")), ("yes", _("seal intact")), ("no", _("seal broken"))]

    evidence = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("What happened"), choices=KINDS)
    to_user = forms.ModelChoiceField(queryset=None, label=_("To (staff member)"), required=False)
    to_name = forms.CharField(label=_("or to (name and role, for someone outside the system)"), max_length=200,
                              required=False)
    at = forms.DateTimeField(label=_("When"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    seal_intact = forms.ChoiceField(label=_("Seal"), choices=SEAL, required=False)
    location = forms.CharField(label=_("New storage location"), max_length=200, required=False)
    notes = forms.CharField(label=_("Reason or notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = _staff_accounts()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("evidence") and not cleaned.get("item"):
            raise forms.ValidationError(_("That evidence is not part of this case."))
        return cleaned

    def seal(self):
        return {"yes": True, "no": False}.get(self.cleaned_data.get("seal_intact") or "")


class LinkForm(CaseForm):
    kind = forms.ChoiceField(label=_("This complaint is"), choices=ComplaintLink.Kind.choices)
    other_reference = forms.CharField(label=_("Other complaint (reference)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_other_reference(self):
        """The complaint for the reference typed, or None (the service says so without disclosing anything)."""
        reference = self.cleaned_data["other_reference"].strip().upper()
        return Complaint.objects.filter(reference=reference).first()
class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=100)
    query = forms.CharField(widget=forms.HiddenInput)
