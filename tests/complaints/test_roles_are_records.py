"""Roles are records: who got which role, from whom and why, kept in history; nobody raises their own (issue 9)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from complaints import roles
from complaints.models import RoleChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_user):
    user = make_user(roles.ADMINISTRATOR, is_staff=True)
    return user


def account_form(user, **changes):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "groups": [g.pk for g in user.groups.all()],
        "change_reason": "test",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


def test_an_administrator_cannot_promote_themselves(client, administrator):
    client.force_login(administrator)
    chief = Group.objects.get(name=roles.CHIEF)
    groups = [g.pk for g in administrator.groups.all()] + [chief.pk]
    response = client.post(reverse("admin:auth_user_change", args=[administrator.pk]),
                           account_form(administrator, groups=groups, is_superuser="on",
                                        change_reason="I need to see the case"))
    assert response.status_code == 200
    assert "Nobody changes their own roles" in response.content.decode()
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert not administrator.groups.filter(name=roles.CHIEF).exists()
    assert not RoleChange.objects.exists()


def test_superuser_status_cannot_be_set_from_the_admin(client, administrator, make_user):
    colleague = make_user(roles.INVESTIGATOR, is_staff=True)
    client.force_login(administrator)
    response = client.post(reverse("admin:auth_user_change", args=[colleague.pk]),
                           account_form(colleague, is_superuser="on", change_reason="promotion"))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_superuser


def test_a_role_grant_keeps_who_and_why_in_the_chained_history(client, administrator, make_user):
    colleague = make_user(is_staff=True)
    client.force_login(administrator)
    chief = Group.objects.get(name=roles.CHIEF)
    response = client.post(reverse("admin:auth_user_change", args=[colleague.pk]),
                           account_form(colleague, groups=[chief.pk], change_reason="appointed acting chief"))
    assert response.status_code == 302
    change = RoleChange.objects.get(user=colleague)
    assert change.roles_added == [roles.CHIEF]
    assert change.grants_case_access
    assert change.changed_by == administrator and change.reason == "appointed acting chief"
    newest = change.history.first()
    assert newest.history_user == administrator
    assert newest.history_change_reason == "appointed acting chief"
    assert newest.chain_hash


def test_an_administrator_cannot_widen_their_own_role(client, administrator):
    client.force_login(administrator)
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    from django.contrib.auth.models import Permission

    wanted = Permission.objects.get(codename="view_evidence_file")
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]), {
        "name": group.name, "permissions": [p.pk for p in group.permissions.all()] + [wanted.pk],
        "change_reason": "need evidence"})
    assert response.status_code == 200
    assert not group.permissions.filter(pk=wanted.pk).exists()


def test_auditors_see_every_grant_of_case_access(client, administrator, make_user):
    colleague = make_user(is_staff=True)
    client.force_login(administrator)
    investigator = Group.objects.get(name=roles.INVESTIGATOR)
    client.post(reverse("admin:auth_user_change", args=[colleague.pk]),
                account_form(colleague, groups=[investigator.pk], change_reason="joined IA"))
    auditor = make_user(roles.AUDITOR)
    client.force_login(auditor)
    page = client.get("/staff/role-grants/")
    assert page.status_code == 200
    text = page.content.decode()
    assert colleague.username in text and "joined IA" in text and administrator.username in text
    client.force_login(make_user(roles.INVESTIGATOR))
    assert client.get("/staff/role-grants/").status_code == 403


def test_the_admin_log_is_append_only(client, administrator, make_user):
    colleague = make_user(is_staff=True)
    client.force_login(administrator)
    client.post(reverse("admin:auth_user_change", args=[colleague.pk]),
                account_form(colleague, first_name="Sam", change_reason="name"))
    assert get_user_model().objects.get(pk=colleague.pk).first_name == "Sam"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_admin_log")
        (before,) = cursor.fetchone()
    assert before >= 1
    for sql in ["DELETE FROM django_admin_log", "UPDATE django_admin_log SET change_message = 'nothing'"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_admin_log WHERE change_message = 'nothing'")
        assert cursor.fetchone() == (0,)
