"""Telling a filer that there is news: called explicitly by the service that sends a message or moves a case.

A notice never carries case details (no reference, no words from staff, no status): only "there is news, sign in
with your code" and the follow-up address, in the filer's language. It is sent after the surrounding transaction
commits, so a refused or rolled-back action tells nobody anything.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from complaints.history import PUBLIC_FILER, recorded

from . import sms
from .models import NoticeAddress

logger = logging.getLogger(__name__)


def tell_filer(complaint):
    """After commit, tell the filer of `complaint` there is news, on every channel they chose."""
    transaction.on_commit(lambda: _send(complaint))


def tell_filer_if_public_step_changed(investigation):
    """Call before saving a transition: tell the filer only when the step the public sees changes."""
    from investigations.public import same_public_step

    saved = type(investigation).objects.filter(pk=investigation.pk).values_list("state", flat=True).first()
    if saved is not None and not same_public_step(saved, investigation.state):
        tell_filer(investigation.complaint)


def recipients(complaint):
    """[(channel, address, language)]: the filer's own contact when they chose it, and any notice addresses."""
    found = []
    filer = complaint.parties.filter(is_filer=True).first()
    language = complaint.preferred_language or settings.LANGUAGE_CODE
    if filer and complaint.contact_method == "email" and filer.email:
        found.append(("email", filer.email, filer.preferred_language or language))
    if filer and complaint.contact_method == "text" and filer.phone:
        found.append(("sms", filer.phone, filer.preferred_language or language))
    for address in NoticeAddress.objects.filter(complaint=complaint, active=True):
        if address.email:
            found.append(("email", address.email, address.language))
        if address.phone:
            found.append(("sms", address.phone, address.language))
    return found


def follow_up_url(language):
    with translation.override(language):
        return settings.PUBLIC_SITE_URL.rstrip("/") + reverse("intake:follow_up")


def _send(complaint):
    texts = sms.backend()
    for channel, address, language in recipients(complaint):
        context = {"follow_up_url": follow_up_url(language)}
        with translation.override(language):
            try:
                if channel == "email":
                    subject = render_to_string("notices/news_subject.txt", context).strip()
                    body = render_to_string("notices/news_body.txt", context)
                    EmailMultiAlternatives(subject, body, to=[address]).send()
                elif texts is not None:
                    texts.send(address, render_to_string("notices/news_sms.txt", context).strip())
            except (smtplib.SMTPException, OSError) as error:
                # The staff action has happened; a mail server being down must not undo it or show staff an
                # error. The filer still sees the news on the follow-up page. Never log the address.
                logger.warning("notice to the filer of %s not sent (%s): %s", complaint.reference, channel, error)


def ask_for_notices(complaint, *, email="", phone="", language):
    """The filer leaves an address for news only (kept apart from the complaint)."""
    with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="filer asked to be told of news"):
        return NoticeAddress.objects.create(complaint=complaint, email=email, phone=phone, language=language)


def stop_notices(complaint):
    """The filer stops notices to the addresses they left; the records stay, marked inactive."""
    with transaction.atomic(), recorded(label=PUBLIC_FILER, reason="filer stopped notices"):
        for address in NoticeAddress.objects.filter(complaint=complaint, active=True):
            address.active = False
            address.save()


def has_notice_address(complaint):
    return NoticeAddress.objects.filter(complaint=complaint, active=True).exists()
