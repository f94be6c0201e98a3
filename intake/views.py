"""The public site: views turn HTTP into calls to complaints.services and back.

The follow-up code exists in plain text only in the response that shows it and in requests the filer sends back
(the PDF and e-mail buttons and the receipt's language switcher post it): never in the session, the database or a
log. For a second press of the same form it is kept a few minutes in the cache, sealed with a key from the filer's
browser session (intake/submissions.py).
"""

import hashlib
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import evidence as evidence_files
from complaints.history import PUBLIC_FILER
from complaints.models import Complaint, Message
from complaints.services import (
    attach_evidence,
    file_public_complaint,
    follow_up_code_matches,
    mark_messages_read,
    new_follow_up_code,
    normalize_follow_up_code,
    report_retaliation,
    send_complainant_message,
)
from investigations.public import public_outcome, public_status
from notices import services as notices

from . import ratelimit, resumable, submissions
from .forms import (
    INTERRUPTED,
    AddEvidenceForm,
    ComplaintForm,
    FollowUpLoginForm,
    MessageForm,
    NoticeForm,
    RetaliationForm,
)
from .receipts import case_letter_pdf, receipt_pdf

DRAFT_KEY = "intake_draft"
FOLLOW_UP_KEY = "follow_up_complaint"
FOLLOW_UP_SESSION_SECONDS = 30 * 60
SWITCH_LANGUAGE = "switch_language"


def home(request):
    return render(request, "intake/home.html")


def _draft_data(post):
    """The text the filer typed, to carry across a language switch (files cannot be kept by a browser)."""
    fields = ComplaintForm.base_fields
    draft = {}
    for name, field in fields.items():
        if name in {"evidence", "homepage"}:
            continue
        if name == "preferred_language" and post.get(name) == get_language():
            continue  # still the page's language, as it was offered: it follows the page to the new language
        if getattr(field.widget, "allow_multiple_selected", False):
            draft[name] = post.getlist(name)
        elif isinstance(field, forms.BooleanField):
            draft[name] = name in post  # an unticked box sends nothing, and must stay unticked
        elif name in post:
            draft[name] = post.get(name)
    return draft


def _language_cookie(response, language):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@require_POST
def change_language(request):
    """The language switcher of every public page: the same page in the chosen language.

    Django's set_language reads the page address in the language the browser prefers, so from an English address
    in a Polish browser it found no page and sent the filer back to the English one. Here the address is read in
    its own language.
    """
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = get_language()
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("intake:home")
    with translation.override(get_language_from_path(urlsplit(next_url).path) or get_language()):
        target = translate_url(next_url, language)
    return _language_cookie(HttpResponseRedirect(target), language)


def _switch_language(request):
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = get_language()
    request.session[DRAFT_KEY] = {"data": _draft_data(request.POST), "had_files": bool(request.FILES),
                                  "same_language": language == get_language()}
    return _language_cookie(HttpResponseRedirect(translate_url(request.path, language)), language)


def _render_form(request, form, *, status=200, notices=(), sent_ahead=()):
    return render(
        request,
        "intake/file.html",
        {"form": form, "submission": submissions.new_token(request), "notices": notices, "sent_ahead": sent_ahead,
         "fresh_fields": None if sent_ahead else _fresh_fields(form),
         "chunk_size": RESUMABLE_CHUNK_SIZE,
         "switcher_form_id": "complaint-form", "max_file_size": settings.EVIDENCE_MAX_FILE_SIZE,
         "allowed_extensions": ALLOWED_EXTENSIONS},
        status=status,
    )


# A fresh form's questions as HTML, by everything they are rendered from (kept per process: a deploy starts anew).
_FRESH_FIELDS = {}


def _fresh_fields(form):
    """The questions of a form nobody has answered yet, rendered once per language, categories and limits.

    They were most of the time a filing took (a template per radio button and checkbox); None for a form with
    answers or errors, which is rendered as usual.
    """
    if form.is_bound or form.initial:
        return None
    inputs = [get_language()]
    for name, field in form.fields.items():
        choices = [(str(value), str(label)) for value, label in getattr(field, "choices", ())]
        inputs.append((name, str(field.label), str(field.help_text), field.required, field.widget.attrs,
                       form.get_initial_for_field(field, name), choices))
    key = hashlib.sha256(repr(inputs).encode()).hexdigest()
    fields = _FRESH_FIELDS.get(key)
    if fields is None:
        if len(_FRESH_FIELDS) > 200:
            _FRESH_FIELDS.clear()
        fields = _FRESH_FIELDS[key] = render_to_string("intake/includes/complaint_fields.html",
                                                       {"form": form, "sent_ahead": ()})
    return fields


# Each piece of a resumable upload is its own request, short enough for any worker time-out on a slow phone line.
RESUMABLE_CHUNK_SIZE = 2 * 1024 * 1024

ALLOWED_EXTENSIONS = (
    ".mp4,.mov,.m4v,.3gp,.webm,.mkv,.avi,.jpg,.jpeg,.png,.heic,.heif,.webp,.m4a,.mp3,.wav,.ogg,.aac,.amr,.pdf"
)


def file_complaint(request):
    if request.method != "POST":
        notices = []
        draft = request.session.pop(DRAFT_KEY, None)
        if draft:
            form = ComplaintForm(initial=draft["data"])
            # Enter in a text box presses the first button of the form, the language switcher's: no news then.
            if not draft.get("same_language"):
                notices.append(_("Your answers are kept in the new language."))
            if draft.get("had_files"):
                notices.append(_("Please choose your files again."))
        else:
            form = ComplaintForm()
        return _render_form(request, form, notices=notices)

    if SWITCH_LANGUAGE in request.POST:
        return _switch_language(request)

    token = request.POST.get("submission", "")
    earlier = submissions.earlier_filing(request, token, request.POST.get("narrative", ""))
    if earlier:
        return _render_earlier_filing(request, earlier)

    form = ComplaintForm(request.POST, request.FILES)
    address = ratelimit.address_key(request)
    complaints_limit, files_limit = ratelimit.complaints_per_address(), ratelimit.files_per_address()
    if form.is_bot:
        form.is_valid()
        form.add_error(None, _("Please leave the last field empty."))
        return _render_form(request, form)
    if evidence_files.upload_was_interrupted(request):
        form.is_valid()
        form.add_error(None, INTERRUPTED)
        return _render_form(request, form, notices=_files_notice(request))
    sent_ahead, missing = _sent_ahead(request)
    # A recording sent ahead (resumable upload) may stand in for the typed account, like one sent with the form.
    form.sent_ahead_kinds = {item.info.get("kind") for item in sent_ahead}
    if missing:
        form.is_valid()
        form.add_error(None, INTERRUPTED)
        return _render_form(request, form, notices=_files_notice(request), sent_ahead=sent_ahead)
    if not form.is_valid():
        return _render_form(request, form, notices=_files_notice(request), sent_ahead=sent_ahead)
    uploads = form.cleaned_data["evidence"]
    file_count = len(uploads) + len(sent_ahead)
    if file_count > settings.EVIDENCE_MAX_FILES_PER_COMPLAINT:
        limit = settings.EVIDENCE_MAX_FILES_PER_COMPLAINT
        form.add_error("evidence", ngettext("You can attach up to %(limit)d file.",
                                            "You can attach up to %(limit)d files.", limit) % {"limit": limit})
        return _render_form(request, form, notices=_files_notice(request))
    if not complaints_limit.take(address):
        return _too_many(request, form)
    if file_count and not files_limit.take(address, file_count):
        complaints_limit.give_back(address)
        return _too_many(request, form)

    if token and not submissions.reserve(token):
        # A second press of the same form got here at the same moment as the first: the first one files.
        complaints_limit.give_back(address)
        if file_count:
            files_limit.give_back(address, file_count)
        return _render_earlier_filing(request, submissions.earlier_filing(request, token))
    # The slow part (hashing the follow-up code) comes before any file is stored, so a crash leaves no file
    # behind without its complaint for longer than the short transaction below.
    follow_up = new_follow_up_code()
    try:
        stored = [evidence_files.store(upload) for upload in uploads]
        stored += [evidence_files.store(item.as_file()) for item in sent_ahead]
        complaint, code = file_public_complaint(stored_files=stored, follow_up=follow_up,
                                                **form.complaint_fields(get_language()))
    except BaseException:
        if token:
            submissions.release(token)
        raise
    for item in sent_ahead:
        item.stored()
    if token:
        submissions.record(request, token, complaint.reference, code, form.cleaned_data["narrative"])
    return _render_receipt(request, complaint, code)


def _sent_ahead(request):
    """(finished resumable uploads this form names, whether any named one is missing or unfinished)."""
    found, missing = [], False
    for upload_id in dict.fromkeys(request.POST.getlist("resumable")):
        try:
            found.append(resumable.claim(request, upload_id))
        except resumable.NotReady:
            missing = True
    return found, missing


def _render_earlier_filing(request, earlier):
    """The answer to a form sent twice: the first receipt for the browser that filed it, else the reference."""
    complaint = Complaint.objects.filter(reference=earlier.reference).first() if earlier.reference else None
    if complaint is not None and earlier.code:
        return _render_receipt(request, complaint, earlier.code, sent_before=True)
    return render(request, "intake/already_filed.html", {"reference": earlier.reference})


def _too_many(request, form):
    form.add_error(None, _("Too many complaints or files were sent from this connection in the last hour. "
                           "Please try again later, or call us."))
    return _render_form(request, form, status=429, notices=_files_notice(request))


def _files_notice(request):
    if request.FILES:
        return [_("Nothing was saved yet. Your answers are kept, but please choose your files again.")]
    return []


def _filer_email(complaint):
    party = complaint.parties.filter(is_filer=True).exclude(email="").first()
    return party.email if party else ""


def _render_receipt(request, complaint, code, *, email_sent=False, sent_before=False):
    response = render(
        request,
        "intake/receipt.html",
        {
            "complaint": complaint,
            "code": code,
            "evidence": list(complaint.evidence.all()),
            "status": public_status(complaint),
            "can_email": bool(_filer_email(complaint)),
            "email_sent": email_sent,
            "sent_before": sent_before,
            "switcher_form_id": "receipt-language",
        },
    )
    add_never_cache_headers(response)  # the page holds the follow-up code: no copy in any cache
    return response


@require_POST
def receipt_page(request):
    """The receipt again, in the language the filer switched to: its switcher posts the code back to here.

    The code is never kept on the server to make this possible. A new language is a 307 redirect to this page's
    address in that language, which the browser follows by sending the same form again.
    """
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES) and language != get_language():
        response = HttpResponseRedirect(translate_url(request.path, language))
        response.status_code = 307
        return _language_cookie(response, language)
    try:
        complaint = _complaint_for_code(request, request.POST.get("reference"), request.POST.get("code"))
    except CodeRefused as refused:
        return _refused_page(request, refused)
    return _render_receipt(request, complaint, _grouped(request.POST.get("code")))


class CodeRefused(Exception):
    """The reference and code do not match a complaint, too many wrong tries came from this address, or the
    request was malformed (a NUL byte, which PostgreSQL cannot even compare)."""

    def __init__(self, rate_limited=False, malformed=False):
        self.rate_limited, self.malformed = rate_limited, malformed


def _complaint_for_code(request, reference, code):
    """The complaint `reference` + `code` open.

    Wrong tries are limited per client address, never per reference: a stranger who types wrong codes against
    someone's (sequential, guessable) reference must not lock its owner out. Each try takes its place in the
    address's counter before the code is checked, and a right code gives it back.
    """
    reference, code = (reference or "").strip().upper(), code or ""
    if "\x00" in reference or "\x00" in code:
        raise CodeRefused(malformed=True)
    address = ratelimit.address_key(request)
    by_address = ratelimit.follow_up_failures_per_address()
    if not by_address.take(address):
        raise CodeRefused(rate_limited=True)
    complaint = Complaint.objects.filter(reference=reference).first()
    # A missing reference is checked against a dummy hash, so it takes as long as a wrong code and looks the same.
    if not follow_up_code_matches(complaint or Complaint(), code) or complaint is None:
        ratelimit.count_wrong_code_everywhere()
        raise CodeRefused()
    by_address.give_back(address)
    return complaint


def _refusal(refused):
    """(message, HTTP status): the same words whether the reference or the code was wrong."""
    if refused.rate_limited:
        return _("Too many wrong tries. Please wait 15 minutes and try again."), 429
    message = _("We could not find a complaint with that reference number and follow-up code. "
                "Please check both and try again.")
    return message, 400 if refused.malformed else 403


def _refused_page(request, refused):
    message, status = _refusal(refused)
    # Its language switcher leads to the follow-up sign-in: the address of this answer only takes a form.
    return render(request, "intake/refused.html", {"message": message, "redirect_to": reverse("intake:follow_up")},
                  status=status)


@require_POST
def receipt_download(request):
    try:
        complaint = _complaint_for_code(request, request.POST.get("reference"), request.POST.get("code"))
    except CodeRefused as refused:
        return _refused_page(request, refused)
    pdf = receipt_pdf(
        complaint=complaint,
        code=_grouped(request.POST.get("code")),
        evidence=list(complaint.evidence.filter(derived_from__isnull=True)),
        status=public_status(complaint),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{complaint.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def receipt_email(request):
    try:
        complaint = _complaint_for_code(request, request.POST.get("reference"), request.POST.get("code"))
    except CodeRefused as refused:
        return _refused_page(request, refused)
    code = _grouped(request.POST.get("code"))
    address = _filer_email(complaint)
    if address:
        follow_up_url = request.build_absolute_uri(reverse("intake:follow_up"))
        context = {"complaint": complaint, "code": code, "follow_up_url": follow_up_url}
        subject = render_to_string("intake/email/code_subject.txt", context).strip()
        body = render_to_string("intake/email/code_body.txt", context)
        EmailMultiAlternatives(subject, body, to=[address]).send()
    return _render_receipt(request, complaint, code, email_sent=bool(address))


def _grouped(code):
    raw = normalize_follow_up_code(code)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def follow_up(request):
    if request.method == "POST":
        form = FollowUpLoginForm(request.POST)
        if form.is_valid():
            try:
                complaint = _complaint_for_code(request, form.cleaned_data["reference"], form.cleaned_data["code"])
            except CodeRefused as refused:
                message, status = _refusal(refused)
                form.add_error(None, message)
                return render(request, "intake/follow_up_login.html", {"form": form}, status=status)
            request.session.cycle_key()
            request.session[FOLLOW_UP_KEY] = complaint.pk
            request.session.set_expiry(FOLLOW_UP_SESSION_SECONDS)
            return redirect("intake:follow_up_case")
        return render(request, "intake/follow_up_login.html", {"form": form}, status=400)
    return render(request, "intake/follow_up_login.html", {"form": FollowUpLoginForm()})


def _followed_complaint(request):
    pk = request.session.get(FOLLOW_UP_KEY)
    return Complaint.objects.filter(pk=pk).first() if pk else None


def _render_case(request, complaint, *, message_form=None, evidence_form=None, retaliation_form=None,
                 notice_form=None, notice="", status=200):
    mark_messages_read(complaint)
    response = render(
        request,
        "intake/follow_up_case.html",
        {
            "complaint": complaint,
            "status": public_status(complaint),
            "messages_thread": list(complaint.messages.all()),
            "evidence": list(complaint.evidence.filter(submitted_by_public=True, derived_from__isnull=True)),
            "message_form": message_form or MessageForm(),
            "evidence_form": evidence_form or AddEvidenceForm(),
            "retaliation_form": retaliation_form or RetaliationForm(),
            "notice_form": notice_form or NoticeForm(),
            "has_notice_address": notices.has_notice_address(complaint),
            "outcome": public_outcome(complaint),
            "notice": notice,
            "allowed_extensions": ALLOWED_EXTENSIONS,
            "max_file_size": settings.EVIDENCE_MAX_FILE_SIZE,
            "chunk_size": RESUMABLE_CHUNK_SIZE,
            "Message": Message,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def follow_up_case(request):
    complaint = _followed_complaint(request)
    if complaint is None:
        return redirect("intake:follow_up")
    if request.method != "POST":
        return _render_case(request, complaint)
    action = request.POST.get("action")
    if action == "message":
        form = MessageForm(request.POST)
        if form.is_valid():
            if not ratelimit.messages_per_complaint().take(ratelimit.complaint_key(complaint)):
                form.add_error("body", _("You have sent the most messages we can take online in one day. "
                                         "Please try again tomorrow, or call us."))
                return _render_case(request, complaint, message_form=form, status=429)
            send_complainant_message(complaint, form.cleaned_data["body"], language=get_language())
            return _render_case(request, complaint, notice=_("Thank you. Your message was sent."))
        return _render_case(request, complaint, message_form=form, status=400)
    if action == "retaliation":
        form = RetaliationForm(request.POST)
        if form.is_valid():
            if not ratelimit.retaliation_reports_per_complaint().take(ratelimit.complaint_key(complaint)):
                form.add_error("description", _("You have sent the most reports we can take online in one day. "
                                                "Please call us. If you are in danger now, call the emergency "
                                                "number."))
                return _render_case(request, complaint, retaliation_form=form, status=429)
            report_retaliation(complaint, form.cleaned_data["description"])
            return _render_case(request, complaint, notice=_(
                "Thank you for telling us. Your report has been marked urgent and will be looked at first."))
        return _render_case(request, complaint, retaliation_form=form, status=400)
    if action == "evidence":
        return _add_evidence(request, complaint)
    if action == "notices":
        form = NoticeForm(request.POST)
        if form.is_valid():
            notices.ask_for_notices(complaint, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"],
                                    language=get_language())
            return _render_case(request, complaint, notice=_("Thank you. We will tell you when there is news."))
        return _render_case(request, complaint, notice_form=form)
    if action == "stop_notices":
        notices.stop_notices(complaint)
        return _render_case(request, complaint, notice=_("We will not send you news any more."))
    return _render_case(request, complaint)


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def follow_up_letter(request):
    """The follow-up page as a PDF letter (with the outcome once the case is closed), any time after sign-in."""
    complaint = _followed_complaint(request)
    if complaint is None:
        return redirect("intake:follow_up")
    pdf = case_letter_pdf(complaint=complaint, status=public_status(complaint), outcome=public_outcome(complaint),
                          messages=list(complaint.messages.all()), to_complainant=Message.Direction.TO_COMPLAINANT)
    return _pdf_response(pdf, f"complaint-{complaint.reference}.pdf")


def follow_up_receipt(request):
    """The receipt again, after sign-in; the follow-up code is never shown again (it is not stored)."""
    complaint = _followed_complaint(request)
    if complaint is None:
        return redirect("intake:follow_up")
    evidence = complaint.evidence.filter(submitted_by_public=True, derived_from__isnull=True)
    pdf = receipt_pdf(complaint=complaint, code="", status=public_status(complaint), evidence=list(evidence))
    return _pdf_response(pdf, f"receipt-{complaint.reference}.pdf")


def _add_evidence(request, complaint):
    form = AddEvidenceForm(request.POST, request.FILES)
    if evidence_files.upload_was_interrupted(request):
        form.is_valid()
        form.add_error(None, INTERRUPTED)
        return _render_case(request, complaint, evidence_form=form)
    sent_ahead, missing = _sent_ahead(request)
    if missing:
        form.is_valid()
        form.add_error(None, INTERRUPTED)
        return _render_case(request, complaint, evidence_form=form, status=400)
    if not form.is_valid():
        return _render_case(request, complaint, evidence_form=form)
    uploads = form.cleaned_data["evidence"]
    file_count = len(uploads) + len(sent_ahead)
    already = complaint.evidence.filter(submitted_by_public=True).count()
    address = ratelimit.address_key(request)
    files_limit = ratelimit.files_per_address()
    if already + file_count > settings.EVIDENCE_MAX_FILES_PER_COMPLAINT:
        form.add_error("evidence", _("This complaint already has the most files we can take online (%(limit)d). "
                                     "Please contact us to send more.")
                       % {"limit": settings.EVIDENCE_MAX_FILES_PER_COMPLAINT})
        return _render_case(request, complaint, evidence_form=form)
    if not files_limit.take(address, file_count):
        form.add_error("evidence", _("Too many files were sent from this connection in the last hour. "
                                     "Please try again later."))
        return _render_case(request, complaint, evidence_form=form, status=429)
    stored = [evidence_files.store(upload) for upload in uploads]
    stored += [evidence_files.store(item.as_file()) for item in sent_ahead]
    attach_evidence(complaint, stored, label=PUBLIC_FILER, reason="evidence added by the complainant", public=True,
                    remove_metadata=form.cleaned_data["remove_metadata"])
    for item in sent_ahead:
        item.stored()
    return _render_case(request, complaint, notice=_("Thank you. Your files were added to your complaint."))


@require_POST
def follow_up_sign_out(request):
    request.session.pop(FOLLOW_UP_KEY, None)
    request.session.cycle_key()
    return redirect("intake:follow_up")


def csrf_failure(request, reason=""):
    return render(request, "intake/csrf_failure.html", status=403)
