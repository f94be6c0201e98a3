"""Every export also anchors the signed chain heads outside the database (issue 9)."""

import json

import pytest

from referrals.models import ExportLog, Referral
from tests.factories import decide

pytestmark = pytest.mark.django_db


def test_an_export_appends_an_anchor_once_it_commits(client, liaison, file_case, team, certified, anchors_in_tmp,
                                                     django_capture_on_commit_callbacks):
    case = file_case(categories=("excessive-force",))
    decide(case, team, certified, outcome="termination", reason="Struck a handcuffed man; untruthful report.")
    referral = Referral.objects.get()
    client.force_login(liaison)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/staff/referrals/{referral.pk}/export.json").status_code == 200
    log = ExportLog.objects.get()
    lines = next(anchors_in_tmp.glob("anchors-*.jsonl")).read_text().splitlines()
    entry = json.loads(lines[-1])
    assert entry["reason"].startswith(f"export {log.pk} ")
    assert "referrals_historicalexportlog" in entry["heads"]
