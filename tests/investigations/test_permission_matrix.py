"""Every staff URL, found in the URL conf, requested as every role, an accused supervisor and logged out.

The expectations are one table per URL name (EXPECTATIONS); a staff URL without an entry fails
`test_every_staff_url_has_expectations`, so a new page cannot ship without saying who may open it. Referral URLs
are reached by name (referrals:...), wherever the referral app's URL conf puts them.
"""

from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from complaints import roles
from complaints.history import recorded
from complaints.models import Evidence
from investigations import services
from tests.factories import walk

pytestmark = pytest.mark.django_db

INT, INV, SUP, CHF, PST, AUD, ADM = (roles.INTAKE_COORDINATOR, roles.INVESTIGATOR, roles.SUPERVISOR, roles.CHIEF,
                                     roles.POST_LIAISON, roles.AUDITOR, roles.ADMINISTRATOR)
ALL = [INT, INV, SUP, CHF, PST, AUD, ADM]
# A supervisor who is herself the accused officer of every case here (Lt Okafor, retired after notice).
ACCUSED = "accused supervisor"
ANONYMOUS = "logged out"
WHO = ALL + [ACCUSED, ANONYMOUS]
OK, LOGIN = 200, "login"


@dataclass
class Probe:
    """One request to a named URL: `args` names targets of the World; `expect` maps who -> status."""

    args: tuple = ()
    expect: dict = field(default_factory=dict)
    default: int = 403
    method: str = "get"
    query: str = ""
    data: dict = field(default_factory=dict)

    def status_for(self, who):
        if who in self.expect:
            return self.expect[who]
        if who == ANONYMOUS:
            return LOGIN
        return self.default


def roles_ok(*allowed, status=OK, **others):
    return {**{r: status for r in allowed}, **{_who(k): v for k, v in others.items()}}


def _who(key):
    return {"accused": ACCUSED, "anonymous": ANONYMOUS, "liaison": PST}.get(key, key)


# The case in triage (`case`) is visible to intake, supervisors, the chief and the auditor; the others may not
# know it exists (404). The accused supervisor never sees it or anything tied to it (its evidence, its referral).
HIDDEN = 404
EXPECTATIONS = {
    "staff:login": [Probe(expect={**{r: OK for r in ALL}, ACCUSED: OK, ANONYMOUS: OK})],
    "staff:logout": [Probe(method="post", expect={**{r: 302 for r in ALL}, ACCUSED: 302, ANONYMOUS: LOGIN})],
    "staff:home": [Probe(expect=roles_ok(*ALL, accused=OK))],
    "staff:triage": [Probe(expect=roles_ok(INT, SUP, accused=OK))],
    "staff:caseload": [Probe(expect=roles_ok(INV))],
    "staff:board": [Probe(expect=roles_ok(SUP, accused=OK))],
    "staff:decisions": [Probe(expect=roles_ok(CHF))],
    "staff:search": [Probe(query="?reference=C-", expect=roles_ok(INT, INV, SUP, CHF, AUD, accused=OK))],
    # Work that finds the person: the investigator's tasks, the supervisor's reviews (never a case she is accused
    # in, but the page itself is hers), the chief's decisions, the liaison's referrals coming due.
    "staff:my_tasks": [Probe(expect=roles_ok(INV))],
    "staff:awaiting_review": [Probe(expect=roles_ok(SUP, accused=OK))],
    "staff:awaiting_decision": [Probe(expect=roles_ok(CHF))],
    "referrals:coming_due": [Probe(expect=roles_ok(PST))],
    # Everyone's own notifications and settings; a notification is its recipient's alone (the supervisor's here).
    "staffnotices:list": [Probe(expect=roles_ok(*ALL, accused=OK))],
    "staffnotices:settings": [Probe(expect=roles_ok(*ALL, accused=OK))],
    "staffnotices:read_all": [Probe(method="post", expect=roles_ok(*ALL, accused=302, status=302))],
    "staffnotices:open": [Probe(("notification",), roles_ok(SUP, status=302), default=HIDDEN)],
    # The export holds only cases the user may open (none of the accused supervisor's); the intake desk does not
    # export.
    "staff:search_export": [Probe(query="?status=received", expect=roles_ok(INV, SUP, CHF, AUD, accused=OK))],
    "staff:saved_search_create": [Probe(method="post", data={"save-name": "New", "save-query": "status=received"},
                                        expect=roles_ok(INT, INV, SUP, CHF, AUD, status=302, accused=302))],
    # Only its owner (the supervisor) removes a saved search; to everyone else it does not exist.
    "staff:saved_search_hide": [Probe(("saved_search",), roles_ok(SUP, status=302, **{INT: 404, INV: 404, CHF: 404,
                                                                                       AUD: 404}, accused=404),
                                      method="post")],
    "staff:case": [
        Probe(("case",), roles_ok(INT, SUP, CHF, AUD), default=HIDDEN),
        # Closed and assigned: the investigator sees her own case; intake no longer does.
        Probe(("closed_case",), roles_ok(INV, SUP, CHF, AUD), default=HIDDEN),
    ],
    "staff:action": [
        Probe(("case", "triage"), roles_ok(INT, SUP, **{CHF: 403, AUD: 403}), default=HIDDEN),
        Probe(("case", "close_administratively"), roles_ok(SUP, **{INT: 403, CHF: 403, AUD: 403}), default=HIDDEN),
        Probe(("closed_case", "reopen"), roles_ok(SUP, **{INV: 403, CHF: 403, AUD: 403}), default=HIDDEN),
        Probe(("case", "no-such-action"), {}, default=HIDDEN),
    ],
    "staff:case_post": [
        Probe(("case", "note"), roles_ok(SUP, status=302, **{INT: 403, CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"body": "A note"}),
        Probe(("case", "translation"), roles_ok(SUP, INT, status=302, **{CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"language": "en", "text": "Translation"}),
        # Closed means closed: those who could write see the refusal (409), the others may not try (403).
        Probe(("closed_case", "note"), roles_ok(SUP, INV, status=409, **{CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"body": "A late note"}),
        # Evidence staff gather: the assigned investigator or a supervisor; read-only roles and intake may not.
        Probe(("case", "physical_evidence"), roles_ok(SUP, status=302, **{INT: 403, CHF: 403, AUD: 403}),
              default=HIDDEN, method="post", data={"description": "A DVD from the custodian", "source": "other",
                                                   "storage_location": "Locker 1", "received_from_name": "Custodian"}),
        # No file sent: the form comes back (400) to those who may add one.
        Probe(("case", "evidence_file"), roles_ok(SUP, status=400, **{INT: 403, CHF: 403, AUD: 403}),
              default=HIDDEN, method="post", data={"source": "report", "received_from_name": "Records unit"}),
        Probe(("case", "custody"), roles_ok(SUP, status=400, **{INT: 403, CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"kind": "transferred", "to_name": "Crime lab"}),
        # Linking: intake (in triage) and supervisors; an unknown reference is refused with the form kept (400).
        Probe(("case", "link"), roles_ok(SUP, INT, status=400, **{CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"kind": "related_to", "other_reference": "C-1999-000001", "reason": "same stop"}),
        Probe(("closed_case", "physical_evidence"), roles_ok(SUP, INV, status=409, **{CHF: 403, AUD: 403}),
              default=HIDDEN, method="post", data={"description": "Late item", "source": "other",
                                                   "storage_location": "Locker 2", "received_from_name": "Custodian"}),
    ],
    "staff:task_done": [Probe(("case", "task"), roles_ok(SUP, status=302, **{INT: 403, CHF: 403, AUD: 403}),
                              default=HIDDEN, method="post")],
    "staff:task_carry_over": [Probe(("case", "task"), roles_ok(SUP, status=302, **{INT: 403, CHF: 403, AUD: 403}),
                                    default=HIDDEN, method="post", data={"note": "after closure"})],
    "staff:case_access_log": [Probe(("case",), roles_ok(SUP, AUD, ADM), default=HIDDEN)],
    "staff:access_log": [Probe(expect=roles_ok(SUP, AUD, ADM, accused=OK))],
    "staff:user_access_log": [Probe(("investigator_id",), roles_ok(SUP, AUD, ADM, accused=OK))],
    "staff:evidence": [
        Probe(("evidence",), roles_ok(INT, SUP, CHF, AUD), default=HIDDEN),
        # Its stripped copy is not made yet: "being prepared", never the original.
        Probe(("sealed_evidence",), roles_ok(INT, SUP, CHF, AUD, status=202), default=HIDDEN),
    ],
    "staff:evidence_download": [Probe(("evidence",), roles_ok(INT, SUP, CHF, AUD), default=HIDDEN)],
    # A sealed original (the filer asked for location and device data to be removed): administrators and the
    # assigned investigator (none yet here) open it, for a typed reason; whoever else sees the case is refused.
    "staff:sealed_original": [
        Probe(("sealed_evidence",), roles_ok(ADM, **{INT: 403, SUP: 403, CHF: 403, AUD: 403}), default=HIDDEN),
        Probe(("sealed_evidence",), roles_ok(ADM, **{INT: 403, SUP: 403, CHF: 403, AUD: 403}), default=HIDDEN,
              method="post", data={"reason": "The location is disputed"}),
    ],
    # A derived copy (poster, playable video) is served after the original's policy check.
    "staff:derived_file": [Probe(("derived",), roles_ok(INT, SUP, CHF, AUD), default=HIDDEN)],
    # Every grant of a case-reading role, for the auditor (and administrators).
    "role_grants": [Probe(expect=roles_ok(AUD, ADM))],
    # Early intervention (non-disciplinary): supervisors, the chief, auditors and administrators; never about
    # oneself or an officer one shares a complaint with (the accused supervisor is the officer here).
    "early_intervention:board": [Probe(expect=roles_ok(SUP, CHF, AUD, ADM, accused=OK))],
    "early_intervention:units": [Probe(expect=roles_ok(SUP, CHF, AUD, ADM, accused=OK))],
    "early_intervention:officer": [Probe(("ei_officer",), roles_ok(SUP, CHF, AUD, ADM, accused=403))],
    "early_intervention:alert": [Probe(("alert",), roles_ok(SUP, CHF, AUD, ADM, accused=404))],
    # The supervisor (asked first) starts the review; the chief, who may answer too, then finds it under way (409).
    "early_intervention:alert_action": [Probe(("alert", "begin_review"),
                                              roles_ok(SUP, status=302, **{CHF: 409}, accused=404),
                                              method="post", data={"reason": "looking into it"})],
    # The second factor's own pages: every signed-in staff member manages their own.
    "signin:security": [Probe(expect=roles_ok(*ALL, accused=OK))],
    # Already past the second factor (and enrolled): both pages send the user on.
    "signin:verify": [Probe(expect=roles_ok(*ALL, accused=302, status=302))],
    "signin:enrol": [Probe(expect=roles_ok(*ALL, accused=302, status=302))],
    "signin:new_recovery_codes": [Probe(expect=roles_ok(*ALL, accused=OK), method="post")],
    # POST referrals: the liaison works them, supervisors close those that do not apply, the auditor reads.
    "referrals:queue": [Probe(expect=roles_ok(PST, SUP, AUD, accused=OK))],
    "referrals:export_log": [Probe(expect=roles_ok(PST, AUD))],
    "referrals:bulk": [Probe(expect=roles_ok(PST))],
    "referrals:detail": [Probe(("referral",), roles_ok(PST, SUP, AUD, accused=HIDDEN))],
    "referrals:sent": [Probe(("referral",), roles_ok(PST, status=302), method="post",
                             data={"sent_on": "2026-11-20", "method": "mail"})],
    # Not sent yet: the liaison's acknowledgement is refused with a message (400), never a 500.
    "referrals:acknowledged": [Probe(("referral",), roles_ok(PST, status=400), method="post",
                                     data={"acknowledged_on": "2026-11-21"})],
    "referrals:close": [Probe(("referral",), roles_ok(SUP, status=302, accused=HIDDEN), method="post",
                              data={"reason": "does not apply"})],
    "referrals:export": [Probe(("referral", "json"), roles_ok(PST))],
    # Forbidden and missing answer alike (404): the case file does not disclose that a case exists.
    "staff:case_file": [Probe(("case",), roles_ok(SUP), default=HIDDEN)],
    "staff:enter_complaint": [Probe(expect=roles_ok(INT))],
    # Live (unsuppressed) statistics: supervisors, the chief, auditors, administrators; publishing: chief, admin.
    "statistics:live": [Probe(expect=roles_ok(SUP, CHF, AUD, ADM, accused=OK))],
    "statistics:publish": [Probe(expect=roles_ok(CHF, ADM))],
}


def staff_url_names():
    """Names of every URL under /staff/ and of the referral app, read from the URL conf."""
    names = set()

    def visit(patterns, route, namespace):
        for pattern in patterns:
            here = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                visit(pattern.url_patterns, here, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if here.startswith("staff/") or (namespace or "").split(":")[0] == "referrals":
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    visit(get_resolver().url_patterns, "", None)
    return names


def test_every_staff_url_has_expectations():
    names = staff_url_names()
    assert {"staff:case", "referrals:queue"} <= names
    assert sorted(names - set(EXPECTATIONS)) == [], "staff URLs with no expectations in the permission matrix"
    assert sorted(set(EXPECTATIONS) - names) == [], "expectations for URLs that no longer exist"


class World:
    """The objects the probes reach, made on first use: a case in triage with evidence and a task, a closed case,
    a POST referral (the accused officer retired after notice), and the accused supervisor's account."""

    def __init__(self, team, roster, make_user, complaint_with_everything, file_case):
        self.team, self.roster, self.make_user = team, roster, make_user
        self.complaint, self.file_case = complaint_with_everything, file_case

    @cached_property
    def accused_supervisor(self):
        user = self.make_user(SUP, username="lt-okafor")
        with recorded(label="test", reason="Lt Okafor's roster entry"):
            officer = self.roster["officer"]
            officer.user = user
            officer.save()
        return user

    @cached_property
    def case(self):
        return self.complaint.investigation.complaint.reference

    @cached_property
    def task(self):
        case = self.complaint.investigation
        return services.add_task(case, by=self.team["supervisor"], title="Call the witness").pk

    @cached_property
    def closed_case(self):
        case = walk(self.file_case(), self.team, "findings_approved")
        services.close_investigation(case, by=self.team["supervisor"], reason="nothing sustained")
        return case.complaint.reference

    @cached_property
    def evidence(self):
        return Evidence.objects.get(complaint=self.complaint, original_sealed=False).pk

    @cached_property
    def sealed_evidence(self):
        from django.core.files.base import ContentFile

        with recorded(label="test", reason="a photo whose original the filer asked to have sealed"):
            evidence = Evidence(complaint=self.complaint, original_name="photo.jpg", mime_type="image/jpeg",
                                kind="photo", size=4, sha256="1" * 64, submitted_by_public=True,
                                original_sealed=True)
            evidence.file.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
            evidence.save()
        return evidence.pk

    @cached_property
    def derived(self):
        from complaints.models import DerivedFile

        return DerivedFile.objects.filter(original__complaint=self.complaint).first().pk

    @cached_property
    def ei_officer(self):
        return self.roster["officer"].pk

    @cached_property
    def alert(self):
        from django.apps import apps

        rule = apps.get_model("early_intervention", "Rule").objects.order_by("pk").first()
        now = timezone.now()
        with recorded(label="test", reason="an early-intervention alert about the accused officer"):
            return apps.get_model("early_intervention", "Alert").objects.create(
                officer=self.roster["officer"], rule=rule, window_start=now - timezone.timedelta(days=90),
                window_end=now, event_count=6, triggers=[], trigger_key="matrix", due_at=now).pk

    @cached_property
    def notification(self):
        from staffnotices import services as staff_notices
        from staffnotices.models import Kind

        with recorded(label="test", reason="a notification for the supervisor"):
            return staff_notices.notify([self.team[SUP]], Kind.ASSIGNED,
                                        investigation=self.complaint.investigation)[0].pk

    @cached_property
    def saved_search(self):
        from investigations.search import save_search

        return save_search(by=self.team[SUP], name="Received", query="status=received").pk

    @cached_property
    def investigator_id(self):
        return self.team["investigator"].pk

    @cached_property
    def referral(self):
        from django.apps import apps

        case = self.complaint.investigation
        services.record_officer_separation(
            self.roster["officer"], by=self.team["supervisor"], investigation=case, reason="retired",
            separation_date=timezone.localdate(), notice_served=True)
        return apps.get_model("referrals", "Referral").objects.get(investigation=case).pk

    def resolve(self, arg):
        return getattr(self, arg) if hasattr(type(self), arg) else arg


@pytest.fixture
def world(team, roster, make_user, complaint_with_everything, file_case):
    return World(team, roster, make_user, complaint_with_everything, file_case)


@pytest.mark.parametrize("name,index", [(n, i) for n, probes in EXPECTATIONS.items() for i in range(len(probes))])
def test_staff_url_as_everyone(client, world, name, index):
    probe = EXPECTATIONS[name][index]
    accused = world.accused_supervisor
    address = reverse(name, args=[world.resolve(a) for a in probe.args]) + probe.query
    people = {**{r: world.team[r] for r in ALL}, ACCUSED: accused, ANONYMOUS: None}
    results, expected = {}, {}
    for who in WHO:
        client.logout()
        if people[who] is not None:
            client.force_login(people[who])
        response = getattr(client, probe.method)(address, probe.data)
        status = response.status_code
        if status == 302 and response["Location"].startswith(reverse("staff:login")) and who == ANONYMOUS:
            status = LOGIN
        results[who], expected[who] = status, probe.status_for(who)
    assert results == expected


def test_accused_supervisor_never_sees_her_referral_listed(client, world):
    referral = world.referral
    client.force_login(world.accused_supervisor)
    queue = client.get(reverse("referrals:queue")).content.decode()
    assert reverse("referrals:detail", args=[referral]) not in queue
    client.force_login(world.team[SUP])
    assert reverse("referrals:detail", args=[referral]) in client.get(reverse("referrals:queue")).content.decode()


def test_assigned_investigator_sees_only_their_case(client, team, case, file_case):
    from investigations import services

    other = file_case()
    services.triage_complaint(case, by=team["intake"])
    services.assign_investigator(case, team["investigator"], by=team["supervisor"], attested=True)
    client.force_login(team["investigator"])
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 200
    assert client.get(f"/staff/cases/{other.complaint.reference}/").status_code == 404
    client.force_login(team["other investigator"])
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 404


def test_sealed_case_only_for_roles_allowed(client, team, case):
    with recorded(label="test", reason="sealed by court order"):
        complaint = case.complaint
        complaint.sealed = True
        complaint.save()
    address = f"/staff/cases/{complaint.reference}/"
    for who, status in [("intake", 404), ("supervisor", 200), ("chief", 200), ("auditor", 200)]:
        client.force_login(team[who])
        assert client.get(address).status_code == status, who
    client.force_login(team["intake"])
    assert complaint.reference not in client.get("/staff/triage/").content.decode()


def test_accused_officer_never_gets_access_whatever_the_role(client, team, case, roster):
    supervisor = team["supervisor"]
    with recorded(label="test", reason="officer promoted into IA supervision"):
        officer = roster["officer"]
        officer.user = supervisor
        officer.save()
    client.force_login(supervisor)
    assert client.get(f"/staff/cases/{case.complaint.reference}/").status_code == 404
    assert case.complaint.reference not in client.get("/staff/search/?reference=C-").content.decode()


def test_accused_supervisor_cannot_close_her_own_referral(client, world):
    from django.apps import apps

    referral = world.referral
    client.force_login(world.accused_supervisor)
    response = client.post(reverse("referrals:close", args=[referral]), {"reason": "does not apply"})
    assert response.status_code == 404
    assert apps.get_model("referrals", "Referral").objects.get(pk=referral).status == "due"
