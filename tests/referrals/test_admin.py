"""Administrators edit the referral rules as data in the admin: every save asks why and re-evaluates cases."""

import pytest

from complaints import roles
from referrals.models import Referral, Rule
from tests.factories import decide

pytestmark = pytest.mark.django_db


def rule_form(rule, **changes):
    data = {
        "rule_set": rule.rule_set_id, "code": rule.code, "kind": rule.kind, "description": rule.description,
        "min_suspension_days": rule.min_suspension_days or "", "outcomes": "[]", "categories": "[]",
        "separation_reasons": "[]", "sort_order": rule.sort_order, "active": "on", "change_reason": "",
    }
    data.update(changes)
    return data


def test_administrator_edits_a_rule_with_a_reason_and_referrals_follow(client, make_user, file_case, team, certified):
    case = file_case(categories=("discourtesy",))
    decide(case, team, certified, outcome="termination")
    referral = Referral.objects.get()
    assert referral.conditions_met
    admin_user = make_user(roles.ADMINISTRATOR, is_staff=True)
    client.force_login(admin_user)
    rule = Rule.objects.get(code="il-a1-suspension-10-days")
    url = f"/admin/referrals/rule/{rule.pk}/change/"

    without_reason = client.post(url, rule_form(rule))
    assert without_reason.status_code == 200  # the form asks for the reason again
    rule.refresh_from_db()
    assert rule.outcomes == ["termination"]

    response = client.post(url, rule_form(rule, change_reason="Counsel: only suspensions count under (a)(1)"))

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.outcomes == []
    latest = rule.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == (
        "Counsel: only suspensions count under (a)(1)", admin_user)
    referral.refresh_from_db()
    assert referral.conditions_met is False


def test_the_liaison_cannot_edit_rules(client, liaison):
    client.force_login(liaison)
    rule = Rule.objects.get(code="il-a1-suspension-10-days")

    response = client.post(f"/admin/referrals/rule/{rule.pk}/change/", rule_form(rule, change_reason="x"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    rule.refresh_from_db()
    assert rule.outcomes == ["termination"]
