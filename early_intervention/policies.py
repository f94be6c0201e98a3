"""Who may see and answer early-intervention records: the one module views, templates and transitions ask.

Early-intervention records are non-disciplinary. Only supervisors, the chief, auditors and administrators see
them (permission `early_intervention.view_early_intervention`, installed by migration 0002); investigators, the
POST liaison and intake never do, and neither discipline decisions nor POST referral packets read them. An
officer never sees his own record, and a staff member who is accused in (or a witness to) any case on an
officer's record has a conflict and may not open that officer's page or answer his alerts.
"""

from investigations import policies as case_policies


def can_view_early_intervention(user):
    return user.is_authenticated and user.has_perm("early_intervention.view_early_intervention")


def can_answer_alerts(user):
    return can_view_early_intervention(user) and user.has_perm("early_intervention.answer_alert")


def conflicted_officer_ids(user):
    """Officers whose record `user` may not see: himself, and anyone he shares a complaint with as accused/witness."""
    from complaints.models import Allegation
    from investigations.models import WitnessOfficer

    own = case_policies.officer_of(user)
    if own is None:
        return set()
    cached = getattr(user, "_ei_conflicts", None)
    if cached is not None:
        return cached
    complaints = set(Allegation.objects.filter(officer=own).values_list("complaint_id", flat=True))
    complaints |= set(WitnessOfficer.objects.filter(officer=own).values_list("investigation__complaint_id",
                                                                             flat=True))
    ids = set(Allegation.objects.filter(complaint_id__in=complaints, officer__isnull=False)
              .values_list("officer_id", flat=True))
    ids.add(own.pk)
    user._ei_conflicts = ids
    return ids


def can_view_officer(user, officer):
    return can_view_early_intervention(user) and officer.pk not in conflicted_officer_ids(user)


def visible_alerts(user, queryset=None):
    from .models import Alert

    qs = Alert.objects.all() if queryset is None else queryset
    if not can_view_early_intervention(user):
        return qs.none()
    conflicts = conflicted_officer_ids(user)
    return qs.exclude(officer_id__in=conflicts) if conflicts else qs


def may_answer_alert(alert, user):
    """django-fsm permission callable (alert, user): answer an alert about an officer one has no conflict with."""
    return can_answer_alerts(user) and can_view_officer(user, alert.officer)


def may_review_intervention(intervention, user):
    return may_answer_alert(intervention.alert, user)

