"""Permissions read in one query give what Django's ModelBackend gives: own, roles', none when inactive."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signin.backends import ModelBackendOneQuery

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_same_permissions_as_django_in_one_query(staff, make_user):
    people = list(staff.values())
    own = make_user(list(staff)[0], username="with-own-permission")
    own.user_permissions.add(Permission.objects.get(codename="view_sealed_complaint"))
    nobody = get_user_model().objects.create_user(username="no-role", password="x" * 16)
    boss = get_user_model().objects.create_superuser(username="boss", password="x" * 16)
    for user in [*people, own, nobody, boss]:
        expected = ModelBackend().get_all_permissions(fresh(user))
        user = fresh(user)
        with CaptureQueriesContext(connection) as queries:
            found = ModelBackendOneQuery().get_all_permissions(user)
            assert ModelBackendOneQuery().get_all_permissions(user) is found  # kept for the request
        assert found == expected, user.username
        assert len(queries.captured_queries) == 1
    assert "complaints.view_sealed_complaint" in ModelBackendOneQuery().get_all_permissions(fresh(own))
    assert ModelBackendOneQuery().get_all_permissions(fresh(nobody)) == set()


def test_inactive_user_has_no_permissions(staff):
    user = fresh(next(iter(staff.values())))
    user.is_active = False
    assert ModelBackendOneQuery().get_all_permissions(user) == set()
    assert not user.has_perm("investigations.triage_investigation")
