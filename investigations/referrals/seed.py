"""The rule sets the module ships with. Administrators edit them in the admin; a change of law is a new version.

Illinois, 50 ILCS 705/9.2 (as amended by P.A. 101-652): the agency notifies the Illinois Law Enforcement
Training and Standards Board within 10 days of a final determination (after any administrative appeal is
exhausted), or of the officer's resignation or retirement, when one of the four conditions below holds.
"""

ILLINOIS = {
    "state": "IL",
    "name": "Illinois 50 ILCS 705/9.2 notification of the Board",
    "board": "Illinois Law Enforcement Training and Standards Board",
    "statute": "50 ILCS 705/9.2",
    "due_days": 10,
    "effective_from": "2022-01-01",
    "notes": (
        "Due 10 days after the final determination (the newest decision after any appeal, grievance, "
        "arbitration or court change) or after the resignation or retirement. Which categories trigger a formal "
        "investigation under (a)(2) is agency policy: keep that rule's list in line with it."
    ),
    "rules": [
        {
            "code": "il-a1-suspension-10-days",
            "kind": "discipline",
            "description": (
                "(a)(1) The final determination leads to a suspension of at least 10 days "
                "(termination counts as more than a 10-day suspension)."
            ),
            "min_suspension_days": 10,
            "outcomes": ["termination"],
        },
        {
            "code": "il-a2-formal-investigation",
            "kind": "sustained_category",
            "description": (
                "(a)(2) A finally determined infraction that triggers an official or formal investigation "
                "under agency policy."
            ),
            "categories": ["excessive-force", "false-arrest", "sexual-misconduct", "retaliation",
                           "failure-to-intervene"],
        },
        {
            "code": "il-a3-truthfulness-bias-integrity",
            "kind": "sustained_category",
            "description": (
                "(a)(3) A finally determined allegation of misconduct regarding truthfulness as to a material "
                "fact, bias, or integrity."
            ),
            "categories": ["dishonesty", "bias"],
        },
        {
            "code": "il-a4-resigned-retired-under-investigation",
            "kind": "separation",
            "description": (
                "(a)(4) The officer resigned or retired during the course of an investigation after being served "
                "notice of it."
            ),
            "separation_reasons": ["resigned", "retired"],
            "requires_notice": True,
        },
    ],
}
