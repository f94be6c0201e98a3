"""The referral module's permissions per role (installed into the existing groups by migration 0002)."""

from complaints import roles

REFERRALS_PERMISSIONS = {
    roles.POST_LIAISON: ["view_referral", "work_referral", "view_exportlog", "view_rule", "view_ruleset"],
    # Supervisors close referrals that do not apply; they and investigators export case files.
    roles.SUPERVISOR: ["view_referral", "close_referral", "export_case_file"],
    roles.INVESTIGATOR: ["export_case_file"],
    roles.AUDITOR: ["view_referral", "view_exportlog", "view_rule", "view_ruleset"],
    roles.ADMINISTRATOR: ["view_ruleset", "add_ruleset", "change_ruleset", "view_rule", "add_rule", "change_rule"],
}
