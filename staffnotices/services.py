"""Telling staff that work waits for them: called by the service that performs the action, never overheard.

`notify` writes one notification per person inside the action's transaction (so a refused or rolled-back action
tells nobody), and after commit e-mails those who want each one at once. Every e-mail is in the recipient's own
language and says only that a case needs their attention, with a link to the signed-in page: no reference, no
name, no words of the complaint, no officer.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from complaints import roles
from complaints.history import SYSTEM, recorded
from investigations import policies

from . import queries
from .models import Delivery, DigestSent, Kind, StaffNotification, StaffPreference

logger = logging.getLogger(__name__)


def preference_of(user):
    """The user's saved preference, or an unsaved one with the defaults (English, e-mail at once)."""
    return StaffPreference.objects.filter(user=user).first() or StaffPreference(user=user)


def set_preference(user, *, language, delivery):
    """The user chooses the language of their e-mails and whether they come at once or as a daily digest."""
    with transaction.atomic(), recorded(by=user, reason="staff member changed their notification settings"):
        preference = StaffPreference.objects.select_for_update().filter(user=user).first() or StaffPreference(
            user=user)
        preference.language = language
        preference.delivery = delivery
        preference.updated_at = timezone.now()
        preference.full_clean()
        preference.save()
    return preference


def _may_know(user, investigation, referral):
    if not user.is_active:
        return False
    if referral is not None:
        return policies.can_read_referrals(user) and not policies.excluded_from_case(user, investigation)
    # Asked afresh (not through can_view_case's per-user cache): the action being recorded may just have changed
    # who sees the case.
    return policies.visible_investigations(user).filter(pk=investigation.pk).exists()


def notify(users, kind, *, investigation, referral=None):
    """Call inside the action's transaction: a notification for each of `users` who may see the case (or the
    referral), and after commit an e-mail to each who chose to hear at once."""
    created = []
    for user in {user.pk: user for user in users if user is not None}.values():
        if _may_know(user, investigation, referral):
            created.append(StaffNotification.objects.create(recipient=user, kind=kind, investigation=investigation,
                                                             referral=referral))
    if created:
        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: send_immediate(ids))
    return created


def members_of(role):
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("pk")


def notify_decision_due(investigation):
    """Findings with a sustained allegation were approved: the chief's discipline decision is now due."""
    return notify(members_of(roles.CHIEF), Kind.DECISION_DUE, investigation=investigation)


def notify_referral_due(referral):
    """A new POST referral is owed: the liaisons who send them are told."""
    liaisons = [user for user in members_of(roles.POST_LIAISON) if policies.can_work_referrals(user)]
    return notify(liaisons, Kind.REFERRAL_DUE, investigation=referral.investigation, referral=referral)


def staff_url(name, *args):
    return settings.STAFF_SITE_URL.rstrip("/") + reverse(name, args=args)


def _send(user, template, context, language):
    with translation.override(language):
        subject = render_to_string(f"staffnotices/{template}_subject.txt", context).strip()
        body = render_to_string(f"staffnotices/{template}_body.txt", context)
    EmailMultiAlternatives(subject, body, to=[user.email]).send()


def send_immediate(notification_ids):
    """E-mail each notification to its recipient now, unless they chose the daily digest or have no address."""
    for notification in StaffNotification.objects.filter(pk__in=notification_ids).select_related("recipient"):
        user = notification.recipient
        preference = preference_of(user)
        if preference.delivery != Delivery.IMMEDIATE or not user.email:
            continue
        context = {"what": Kind(notification.kind).label,  # lazy: translated in the recipient's language
                   "open_url": staff_url("staffnotices:open", notification.pk),
                   "settings_url": staff_url("staffnotices:settings")}
        try:
            _send(user, "notification", context, preference.language)
        except (smtplib.SMTPException, OSError) as error:
            # The action has happened; a mail server being down must not undo it. The bell still shows it.
            logger.warning("notification %s not e-mailed: %s", notification.pk, error)


def send_digests(today=None):
    """One e-mail per digest-preferring staff member with something waiting; at most one per person per day.
    Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    preferences = (StaffPreference.objects.filter(delivery=Delivery.DIGEST, user__is_active=True)
                   .exclude(user__email="").select_related("user").order_by("pk"))
    for preference in preferences:
        user = preference.user
        if not policies.is_staff_member(user) or DigestSent.objects.filter(recipient=user, day=today).exists():
            continue
        unread = queries.unread_count(user)
        with translation.override(preference.language):
            overdue = queries.overdue_items(user, today)
        total = unread + sum(count for _label, count in overdue)
        if not total:
            continue
        context = {"unread": unread, "overdue": overdue,
                   "notifications_url": staff_url("staffnotices:list"),
                   "settings_url": staff_url("staffnotices:settings")}
        try:
            # The row first, the e-mail inside the same transaction: a failed send leaves no row, so the next run
            # tries again; a second run the same day finds the row (or hits the constraint) and sends nothing.
            with transaction.atomic(), recorded(label=SYSTEM, reason="daily digest of staff notifications"):
                DigestSent.objects.create(recipient=user, day=today, items=total)
                _send(user, "digest", context, preference.language)
        except IntegrityError:
            continue
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("digest to user %s not sent: %s", user.pk, error)
            continue
        sent += 1
    return sent


def open_notification(notification, *, by):
    """The recipient opens a notification: it is read from now on."""
    if notification.read_at is None:
        with transaction.atomic(), recorded(by=by, reason="staff member opened a notification"):
            notification.read_at = timezone.now()
            notification.save()
    return notification


def mark_all_read(user):
    """Everything `user` can see in their notifications is read."""
    with transaction.atomic(), recorded(by=user, reason="staff member marked their notifications read"):
        now = timezone.now()
        for notification in queries.visible_notifications(user).unread().select_for_update():
            notification.read_at = now
            notification.save()
