"""The workflow's model permissions per role (installed into the existing groups by migration 0002_roles)."""

from complaints import roles

_READ = [
    "view_investigation", "view_finding", "view_review", "view_interview", "view_note", "view_task",
    "view_assignment", "view_witnessofficer", "view_retaliationcheck", "view_retaliationcheckentry",
    "view_encounterlog", "view_disciplinedecision", "view_officerseparation", "view_deadlinepolicy",
]

INVESTIGATIONS_PERMISSIONS = {
    roles.INTAKE_COORDINATOR: ["view_investigation", "triage_investigation", "assign_investigation"],
    roles.INVESTIGATOR: _READ + ["work_investigation", "record_separation"],
    roles.SUPERVISOR: _READ + [
        "triage_investigation", "assign_investigation", "review_investigation", "record_separation",
    ],
    roles.CHIEF: _READ + ["decide_discipline", "record_separation"],
    # Issue 5 (POST referrals) reads findings, discipline and separations.
    roles.POST_LIAISON: ["view_investigation", "view_finding", "view_disciplinedecision", "view_officerseparation"],
    roles.AUDITOR: list(_READ),
    roles.ADMINISTRATOR: ["view_deadlinepolicy", "add_deadlinepolicy", "change_deadlinepolicy",
                          "view_encounterlog", "add_encounterlog"],
}
