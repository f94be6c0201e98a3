"""Who may see and do what in the investigation workflow: the one module views, templates and transitions ask.

Model permissions (installed per role by the migrations) say what a role may do at all; the functions here add
the object rules: investigators see their assigned cases, supervisors, the chief and auditors all cases,
intake coordinators the triage queue; sealed cases only with `complaints.view_sealed_complaint`; an officer
accused in (or witness to) a case never sees it, whatever their role. Transition permissions take
`(investigation, user)`, the signature django-fsm calls them with.
"""

from django.db.models import Exists, OuterRef, Q

from complaints import roles
from complaints.models import Complaint

TRIAGE_STATES = ("received", "triaged")
# States in which the assigned investigator may add to the file (findings, interviews, notes, checks).
WORK_STATES = ("assigned", "investigating", "retaliation_check")
REASSIGN_STATES = ("assigned", "investigating", "retaliation_check", "supervisor_review")


def role_names(user):
    """The user's role names, read once per request (cached on the user object)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_any_role(user, *names):
    return user.is_authenticated and (user.is_superuser or bool(role_names(user) & set(names)))


def is_staff_member(user):
    return user.is_authenticated and (user.is_superuser or bool(role_names(user)))


def officer_of(user):
    """The roster entry of a staff member who is also an officer, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_officer_cache"):
        from complaints.models import Officer

        user._officer_cache = Officer.objects.filter(user=user).first()
    return user._officer_cache


# -- reading -------------------------------------------------------------------------------------------------


def visible_investigations(user, queryset=None, *, within_states=None):
    """The investigations `user` may open.

    `within_states`: the states `queryset` is already limited to. The rule then leaves out a condition every row
    meets, because a repeated condition makes PostgreSQL misjudge the row count and pick a slow plan.
    """
    from .models import Investigation

    qs = Investigation.objects.all() if queryset is None else queryset
    if not is_staff_member(user):
        return qs.none()
    if not user.is_superuser:
        names = role_names(user)
        if names & {roles.SUPERVISOR, roles.CHIEF, roles.AUDITOR}:
            pass
        elif (roles.INTAKE_COORDINATOR in names and within_states is not None
              and set(within_states) <= set(TRIAGE_STATES)):
            pass
        else:
            rule = Q(pk__in=[])
            if roles.INVESTIGATOR in names:
                rule |= Q(investigator=user)
            if roles.INTAKE_COORDINATOR in names:
                rule |= Q(state__in=TRIAGE_STATES)
            qs = qs.filter(rule)
    if not user.has_perm("complaints.view_sealed_complaint"):
        # Sealed complaints are few (index complaint_sealed): an anti-join against them needs no join with every
        # complaint, which made PostgreSQL read all 200,000 of them to count one investigator's caseload.
        qs = qs.filter(~Exists(Complaint.objects.filter(pk=OuterRef("complaint_id"), sealed=True)))
    return without_own_cases(user, qs)


def without_own_cases(user, queryset):
    """`queryset` of investigations without those where `user` is an accused or witness officer.

    Accused and witness officers never get access to the case, whatever their role; every object tied to a case
    (referrals, exports) asks this same rule.
    """
    officer = officer_of(user)
    if officer is not None:
        queryset = queryset.exclude(complaint__allegations__officer=officer).exclude(
            witness_officers__officer=officer)
    return queryset


def can_view_case(user, investigation):
    cache = user.__dict__.setdefault("_case_visibility", {}) if user.is_authenticated else {}
    if investigation.pk not in cache:
        cache[investigation.pk] = visible_investigations(user).filter(pk=investigation.pk).exists()
    return cache[investigation.pk]


def can_view_triage_queue(user):
    return user.has_perm("investigations.triage_investigation")


def can_view_caseload(user):
    return user.has_perm("investigations.work_investigation")


def can_view_board(user):
    return has_any_role(user, roles.SUPERVISOR) and user.has_perm("investigations.assign_investigation")


def can_view_decision_queue(user):
    return user.has_perm("investigations.decide_discipline")


def can_search(user):
    return has_any_role(user, roles.INTAKE_COORDINATOR, roles.INVESTIGATOR, roles.SUPERVISOR, roles.CHIEF,
                        roles.AUDITOR)


def may_enter_complaint(user):
    """Enter a complaint received by phone, in person, by mail or as an ASL video (the intake desk)."""
    return has_any_role(user, roles.INTAKE_COORDINATOR)


def can_view_history(user):
    return user.has_perm("complaints.view_record_history")


def can_view_evidence(user, investigation):
    return user.has_perm("complaints.view_evidence_file") and can_view_case(user, investigation)


def can_view_contact_details(user, investigation):
    return can_view_case(user, investigation) and user.has_perm("complaints.view_party")


# -- transitions (django-fsm permission callables: (investigation, user)) -----------------------------------


def may_triage(investigation, user):
    return user.has_perm("investigations.triage_investigation") and can_view_case(user, investigation)


def may_assign(investigation, user):
    return user.has_perm("investigations.assign_investigation") and can_view_case(user, investigation)


def may_work(investigation, user):
    return (
        user.has_perm("investigations.work_investigation")
        and investigation.investigator_id == user.pk
        and can_view_case(user, investigation)
    )


def may_review(investigation, user):
    # The reviewer is never the investigator: findings are checked by a second person.
    return (
        user.has_perm("investigations.review_investigation")
        and investigation.investigator_id != user.pk
        and can_view_case(user, investigation)
    )


def may_decide_discipline(investigation, user):
    return user.has_perm("investigations.decide_discipline") and can_view_case(user, investigation)


# -- other actions -------------------------------------------------------------------------------------------


def may_reassign(investigation, user):
    return (
        investigation.state in REASSIGN_STATES
        and has_any_role(user, roles.SUPERVISOR)
        and may_assign(investigation, user)
    )


def may_edit_file(investigation, user):
    """Findings, interviews, tasks, witness officers and the retaliation check: the assigned investigator."""
    return investigation.state in WORK_STATES and may_work(investigation, user)


def may_write_note(investigation, user):
    return may_work(investigation, user) or (
        investigation.is_open and user.has_perm("investigations.review_investigation")
        and can_view_case(user, investigation)
    )


def may_message_complainant(investigation, user):
    return user.has_perm("complaints.add_message") and may_write_note(investigation, user)


def may_translate(investigation, user):
    return user.has_perm("complaints.add_complainttranslation") and (
        may_work(investigation, user)
        or may_triage(investigation, user)
        or (user.has_perm("investigations.review_investigation") and can_view_case(user, investigation))
    )


def may_record_separation(investigation, user):
    if not user.has_perm("investigations.record_separation") or not can_view_case(user, investigation):
        return False
    if has_any_role(user, roles.SUPERVISOR, roles.CHIEF):
        return True
    return investigation.investigator_id == user.pk


def may_record_retaliation_check(investigation, user):
    return investigation.state == "retaliation_check" and may_work(investigation, user)


def may_change_discipline(investigation, user):
    return may_decide_discipline(investigation, user) and investigation.discipline_decisions.exists()


def can_export_case_file(user, investigation):
    """Supervisors for any case they can see; investigators for the cases assigned to them."""
    if not user.is_authenticated or not user.has_perm("investigations.export_case_file"):
        return False
    if not can_view_case(user, investigation):
        return False
    return has_any_role(user, roles.SUPERVISOR) or investigation.investigator_id == user.pk
