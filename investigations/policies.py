"""Who may see and do what in the investigation workflow: the one module views, templates and transitions ask.

Model permissions (installed per role by the migrations) say what a role may do at all; the functions here add
the object rules: investigators see their assigned cases, supervisors, the chief and auditors all cases,
intake coordinators the triage queue; sealed cases only with `complaints.view_sealed_complaint`; an officer
accused in (or witness to) a case never sees it, whatever their role, nor anything tied to it (referrals,
exports, evidence, access logs): ask `excluded_from_case` / `without_excluded_cases`. Transition permissions take
`(investigation, user)`, the signature django-fsm calls them with. `may_take` and `may_attempt` answer for
every action of the staff action table (investigations.actions) by name, so views never read django-fsm.
"""

import django_fsm
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


# -- the accused-officer and witness-officer exclusion ------------------------------------------------------


def excluded_case_ids(user):
    """Ids of the investigations `user` is accused in or a witness officer to (a subquery; empty if not an officer)."""
    from .models import Investigation

    officer = officer_of(user)
    if officer is None:
        return Investigation.objects.none().values("pk")
    return Investigation.objects.filter(
        Q(complaint__allegations__officer=officer) | Q(witness_officers__officer=officer)
    ).values("pk")


def excluded_from_case(user, investigation):
    """True when `user` is an accused or witness officer in the case: no access to it or anything tied to it.

    Every object that belongs to a case (referral, export, evidence, access log) asks this, whatever the role.
    """
    if officer_of(user) is None or investigation is None:
        return False
    cache = user.__dict__.setdefault("_case_exclusion", {})
    if investigation.pk not in cache:
        cache[investigation.pk] = excluded_case_ids(user).filter(pk=investigation.pk).exists()
    return cache[investigation.pk]


def without_excluded_cases(user, queryset, path="investigation"):
    """`queryset` (of objects tied to a case through `path`) minus those of cases `user` is excluded from."""
    if officer_of(user) is None:
        return queryset
    return queryset.exclude(**{f"{path}__in": excluded_case_ids(user)})


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
    # Accused and witness officers never get access to the case, whatever their role.
    return without_excluded_cases(user, qs, path="pk")


def without_own_cases(user, queryset):
    """`queryset` of investigations without those where `user` is an accused or witness officer."""
    return without_excluded_cases(user, queryset, path="pk")


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


def can_export_search_results(user):
    """A CSV of what a search finds (written to the export log): those who search, except the intake desk, whose
    work is the triage queue, not reports. The rows are only ever cases the user may open."""
    return has_any_role(user, roles.INVESTIGATOR, roles.SUPERVISOR, roles.CHIEF, roles.AUDITOR)


def may_enter_complaint(user):
    """Enter a complaint received by phone, in person, by mail or as an ASL video (the intake desk)."""
    return has_any_role(user, roles.INTAKE_COORDINATOR)


def can_view_history(user):
    return user.has_perm("complaints.view_record_history")


def can_view_evidence_access_log(user, investigation=None):
    """Who looked at which evidence file: auditors, administrators and supervisors (per case: a case they may
    know of; an administrator, who does not work cases, sees the log of any case they are not excluded from)."""
    if not has_any_role(user, roles.AUDITOR, roles.ADMINISTRATOR, roles.SUPERVISOR):
        return False
    if investigation is None:
        return True
    if excluded_from_case(user, investigation):
        return False
    if investigation.complaint.sealed and not user.has_perm("complaints.view_sealed_complaint"):
        return False
    return True


def visible_evidence_accesses(user, queryset):
    """Access-log rows `user` may read: none of a case they are excluded from, none of a sealed case without leave."""
    if not user.has_perm("complaints.view_sealed_complaint"):
        queryset = queryset.filter(evidence__complaint__sealed=False)
    return without_excluded_cases(user, queryset, path="evidence__complaint__investigation")


def can_view_evidence(user, investigation):
    return user.has_perm("complaints.view_evidence_file") and can_view_case(user, investigation)


def can_open_sealed_original(user, investigation):
    """An original sealed at the filer's request (it may show where they were, their phone, their name):
    administrators, and the investigator assigned to the case; never an officer excluded from it."""
    if excluded_from_case(user, investigation):
        return False
    if investigation.complaint.sealed and not user.has_perm("complaints.view_sealed_complaint"):
        return False
    if has_any_role(user, roles.ADMINISTRATOR):
        return True
    return (has_any_role(user, roles.INVESTIGATOR) and investigation.investigator_id == user.pk
            and can_view_evidence(user, investigation))


def can_view_contact_details(user, investigation):
    return can_view_case(user, investigation) and user.has_perm("complaints.view_party")


# -- POST referrals and exports (the referral views ask these) ------------------------------------------------


def can_read_referrals(user):
    """The referral queue, a referral's page: the POST liaison, supervisors and the auditor (read-only)."""
    return user.is_authenticated and user.has_perm("referrals.view_referral")


def can_view_referral(user, referral):
    return can_read_referrals(user) and not excluded_from_case(user, referral.investigation)


def can_work_referrals(user):
    """Export packets (new exports are the liaison's work), record sending and acknowledgement: the POST liaison."""
    return user.is_authenticated and user.has_perm("referrals.work_referral")


def can_close_referral(user, referral):
    """A supervisor closes a referral that does not apply; never one of a case she is excluded from."""
    return (user.is_authenticated and user.has_perm("referrals.close_referral")
            and not excluded_from_case(user, referral.investigation))


def can_view_export_log(user):
    """Every export made (who, when, what, its SHA-256): the liaison and the auditor, who reads everything."""
    return user.is_authenticated and user.has_perm("referrals.view_exportlog")


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
    """Notes and tasks: the assigned investigator or a reviewer, while the case is open (closed means closed)."""
    return investigation.is_open and (may_work(investigation, user) or (
        user.has_perm("investigations.review_investigation") and can_view_case(user, investigation)
    ))


def may_message_complainant(investigation, user):
    return user.has_perm("complaints.add_message") and may_write_note(investigation, user)


def may_translate(investigation, user):
    return investigation.is_open and user.has_perm("complaints.add_complainttranslation") and (
        may_work(investigation, user)
        or may_triage(investigation, user)
        or (user.has_perm("investigations.review_investigation") and can_view_case(user, investigation))
    )


def may_record_separation(investigation, user):
    # Also on a closed case: an officer's leaving is a roster record the POST rules read, not a change to the
    # case file (the case page offers it only while the case is open).
    if not user.has_perm("investigations.record_separation") or not can_view_case(user, investigation):
        return False
    if has_any_role(user, roles.SUPERVISOR, roles.CHIEF):
        return True
    return investigation.investigator_id == user.pk


def may_record_retaliation_check(investigation, user):
    return investigation.state == "retaliation_check" and may_work(investigation, user)


def may_change_discipline(investigation, user):
    # Allowed on a closed case: appeals, grievances, arbitration and courts change discipline after closure, and
    # each change is a new record pointing at the decision it changes; the case itself is not touched.
    return may_decide_discipline(investigation, user) and investigation.discipline_decisions.exists()


def can_export_case_file(user, investigation):
    """Supervisors for any case they can see; investigators for the cases assigned to them."""
    if not user.is_authenticated or not user.has_perm("investigations.export_case_file"):
        return False
    if not can_view_case(user, investigation):
        return False
    return has_any_role(user, roles.SUPERVISOR) or investigation.investigator_id == user.pk


def may_reopen(investigation, user):
    return may_review(investigation, user)


# -- evidence staff gather, its chain of custody, and linked complaints (issue 12) ---------------------------


def may_gather_evidence(investigation, user):
    """Files and physical items staff gather, and their custody: the assigned investigator or a supervisor.

    Read-only roles (chief, auditor, POST liaison) never; an accused or witness officer never (can_view_case).
    """
    return user.has_perm("complaints.add_evidence") and (may_work(investigation, user) or (
        has_any_role(user, roles.SUPERVISOR) and can_view_case(user, investigation)))


def may_add_evidence(investigation, user):
    return investigation.is_open and may_gather_evidence(investigation, user)


def may_record_custody(investigation, user):
    # Also on a closed case: evidence still moves after closure (back to the property room, out to a court), and
    # each move must be on record.
    return may_gather_evidence(investigation, user)


def may_link_complaints(investigation, user):
    """Mark a complaint related to, spawned by or a duplicate of another: intake in triage, the investigator,
    supervisors. The other complaint must be one the user may see (services check it)."""
    return investigation.is_open and (
        may_triage(investigation, user) or may_work(investigation, user)
        or (has_any_role(user, roles.SUPERVISOR) and can_view_case(user, investigation)))


def _may_attempt_link(investigation, user):
    return (user.has_perm("investigations.triage_investigation") and can_view_case(user, investigation)) or (
        may_work(investigation, user)) or (has_any_role(user, roles.SUPERVISOR) and can_view_case(user, investigation))


def can_view_joined(user, investigation):
    """A duplicate closed into a main case is read with it: whoever may open the main case may read the duplicate's
    evidence, allegations and messages there (never a sealed one without leave, never one they are excluded from)."""
    if can_view_case(user, investigation):
        return True
    from complaints.models import ComplaintLink

    if excluded_from_case(user, investigation):
        return False
    if investigation.complaint.sealed and not user.has_perm("complaints.view_sealed_complaint"):
        return False
    mains = ComplaintLink.objects.filter(complaint_id=investigation.complaint_id,
                                         kind=ComplaintLink.Kind.DUPLICATE_OF).values("other_id")
    return visible_investigations(user).filter(complaint_id__in=mains).exists()


def can_view_joined_evidence(user, investigation):
    return user.has_perm("complaints.view_evidence_file") and can_view_joined(user, investigation)


def may_close_as_duplicate(investigation, user):
    """Close a duplicate into its main case: intake while it is in triage, or a supervisor (not its investigator,
    who would be closing their own case)."""
    return may_triage(investigation, user) or (
        has_any_role(user, roles.SUPERVISOR) and may_review(investigation, user))


# -- the staff action table asks these, by action name ------------------------------------------------------


def _may_attempt_review(investigation, user):
    # A reviewer who is the investigator may try, and is told so by name (ReviewerIsInvestigator), not a bare 403.
    return user.has_perm("investigations.review_investigation") and can_view_case(user, investigation)


def _may_attempt_reassign(investigation, user):
    return has_any_role(user, roles.SUPERVISOR) and may_assign(investigation, user)


def _may_attempt_work_case(investigation, user):
    return may_work(investigation, user)


def _may_attempt_note(investigation, user):
    return may_work(investigation, user) or _may_attempt_review(investigation, user)


def _may_attempt_message(investigation, user):
    return user.has_perm("complaints.add_message") and _may_attempt_note(investigation, user)


def _may_attempt_translation(investigation, user):
    return user.has_perm("complaints.add_complainttranslation") and (
        may_work(investigation, user) or may_triage(investigation, user)
        or _may_attempt_review(investigation, user))


def _may_attempt_separation(investigation, user):
    return user.has_perm("investigations.record_separation") and can_view_case(user, investigation) and (
        has_any_role(user, roles.SUPERVISOR, roles.CHIEF) or investigation.investigator_id == user.pk)


# action -> (may the user take it now (state included), may the user's role and assignment try it at all).
# A refusal by the second is a 403; a user who may try but meets the wrong state gets a 409 with the reason.
_TRANSITION_ROLE = {
    "triage": may_triage, "assign": may_assign, "start": may_work, "begin_retaliation_check": may_work,
    "resume_investigation": may_work, "submit_for_review": may_work, "approve": _may_attempt_review,
    "return_for_more_work": _may_attempt_review, "close": may_review, "reopen": may_reopen,
    "refer_out": may_triage, "close_administratively": may_review, "complete_discipline": may_decide_discipline,
}
_OTHER_ACTIONS = {
    "reassign": (may_reassign, _may_attempt_reassign),
    "retaliation_check": (may_record_retaliation_check, _may_attempt_work_case),
    "finding": (may_edit_file, _may_attempt_work_case),
    "interview": (may_edit_file, _may_attempt_work_case),
    "witness": (may_edit_file, _may_attempt_work_case),
    "note": (may_write_note, _may_attempt_note),
    "task": (may_write_note, _may_attempt_note),
    "complete_task": (may_write_note, _may_attempt_note),
    "message": (may_message_complainant, _may_attempt_message),
    "translation": (may_translate, _may_attempt_translation),
    "separation": (lambda inv, user: inv.is_open and may_record_separation(inv, user), _may_attempt_separation),
    "discipline": (lambda inv, user: inv.state == "findings_approved" and may_decide_discipline(inv, user),
                   may_decide_discipline),
    "discipline_change": (may_change_discipline, may_decide_discipline),
    "evidence_file": (may_add_evidence, may_gather_evidence),
    "physical_evidence": (may_add_evidence, may_gather_evidence),
    "custody": (may_record_custody, may_gather_evidence),
    "link": (may_link_complaints, _may_attempt_link),
}
ACTION_NAMES = frozenset(_TRANSITION_ROLE) | frozenset(_OTHER_ACTIONS)


def may_take(action, investigation, user):
    """Whether `user` may take `action` on the case now: the role, the assignment and the case's state."""
    if action in _OTHER_ACTIONS:
        return _OTHER_ACTIONS[action][0](investigation, user)
    if action not in _TRANSITION_ROLE:
        return False
    method = getattr(investigation, action)
    return (django_fsm.can_proceed(method, check_conditions=False)
            and django_fsm.has_transition_perm(method, user) and django_fsm.can_proceed(method))


def may_attempt(action, investigation, user):
    """Whether the user's role and assignment allow `action` at all, whatever the case's state now."""
    if action in _OTHER_ACTIONS:
        return _OTHER_ACTIONS[action][1](investigation, user)
    if action in _TRANSITION_ROLE:
        return _TRANSITION_ROLE[action](investigation, user)
    return False


def is_staff_action(action):
    return action in ACTION_NAMES
