import datetime
import hashlib
import os
import time
import uuid

import boto3
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from complaints import evidence as evidence_files
from complaints import roles
from complaints.history import recorded
from complaints.models import (
    Category,
    ComplaintLink,
    CustodyRecord,
    DerivedFile,
    Evidence,
    EvidenceProcessing,
    FilerDemographics,
    Message,
    Officer,
    PhysicalEvidence,
    Unit,
)
from complaints.services import attach_evidence, file_complaint, record_role_change
from config.settings import _s3_transfer_config
from signin import sessions
from tests.servers import Clamd, MotoServer, h264_mp4


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production uses Django's slow default hasher; tests only need hashes, not their cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class SignedInClient(Client):
    """force_login also passes the second factor, as a real sign-in with an authenticator code would."""

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        super().force_login(user, backend)
        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True))
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        # As the sign-in page does: the working-day and idle clocks start now.
        session[sessions.STARTED] = session[sessions.SEEN] = time.time()
        session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        session.save()


@pytest.fixture
def client():
    return SignedInClient()


@pytest.fixture
def password_only_client():
    """A client whose force_login stops before the second factor, as after the password alone."""
    return Client()


@pytest.fixture(autouse=True)
def evidence_in_tmp(settings, tmp_path):
    """Evidence files of a test go to its own folder, never the developer's var/."""
    location = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "complaints.storage.ImmutableFileSystemStorage",
                     "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture(autouse=True)
def anchors_in_tmp(settings, tmp_path):
    """History anchors of a test go to its own folder."""
    settings.HISTORY_ANCHOR_DIR = tmp_path / "anchors"
    return settings.HISTORY_ANCHOR_DIR


@pytest.fixture
def make_user(db):
    def make(role=None, username=None, **extra):
        User = get_user_model()
        username = username or f"user-{(role or 'none').replace(' ', '-')}-{User.objects.count() + 1}"
        user = User.objects.create_user(username=username, password="a-long-test-password", **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One user per role, keyed by role name."""
    return {role: make_user(role) for role in roles.ALL_ROLES}


@pytest.fixture
def roster(db):
    with recorded(label="test", reason="test roster"):
        district = Unit.objects.create(code="D1", name="1st District")
        ia = Unit.objects.create(code="IA", name="Internal Affairs")
        commander = Officer.objects.create(first_name="Ann", last_name="Commander", employee_id="E1",
                                           star_number="1", rank="Commander", unit=district)
        sergeant = Officer.objects.create(first_name="Bo", last_name="Sergeant", employee_id="E2",
                                          star_number="2", rank="Sergeant", unit=district, supervisor=commander)
        officer = Officer.objects.create(first_name="Cy", last_name="Patrol", employee_id="E3",
                                         star_number="2147", rank="Officer", unit=district, supervisor=sergeant)
        investigator = Officer.objects.create(first_name="Di", last_name="Investigator", employee_id="E4",
                                              star_number="4", rank="Sergeant", unit=ia)
    return {"district": district, "ia": ia, "commander": commander, "sergeant": sergeant,
            "officer": officer, "investigator": investigator}


@pytest.fixture
def complaint_with_everything(roster, make_user):
    """A complaint with a row in every complaints table (party, allegation, evidence, message, ...)."""
    translator = make_user(roles.INTAKE_COORDINATOR)
    complaint, code = file_complaint(
        narrative="The officer pushed me and took my phone.",
        filer_role="harmed",
        language="en",
        incident_at=timezone.now() - datetime.timedelta(days=3),
        parties=[{"role": "harmed", "is_filer": True, "name": "Pat Doe", "phone": "555-0100"}],
        allegations=[{"officer": roster["officer"], "category": Category.objects.get(code="excessive-force")}],
        label="public filer",
    )
    with recorded(by=translator, reason="test evidence and messages"):
        evidence = Evidence(
            complaint=complaint, original_name="clip.mp4", mime_type="video/mp4", kind="video", size=4,
            sha256="0" * 64, submitted_by_public=True,
        )
        evidence.file.save("clip.mp4", ContentFile(b"1234"), save=False)
        evidence.save()
        evidence.accesses.create(user=translator, action="view")
        EvidenceProcessing.objects.create(evidence=evidence, state="ready", scan_verdict="not scanned")
        poster = DerivedFile(original=evidence, purpose="poster", mime_type="image/jpeg", size=3,
                             sha256=hashlib.sha256(b"\xff\xd8\xff").hexdigest(),
                             original_sha256=evidence.sha256, tool="ffmpeg 5.1", command="ffmpeg -i ORIGINAL OUTPUT")
        poster.file.save("poster.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
        poster.save()
        Message.objects.create(complaint=complaint, direction="to_complainant", author=translator, body="Hello")
        complaint.translations.create(language="es", text="El oficial...", translator=translator)
        complaint.retaliation_reports.create(description="A patrol car parks outside my house every night.")
        FilerDemographics.objects.create(complaint=complaint, age_band="30_39", gender="prefer_not")
        item = PhysicalEvidence.objects.create(complaint=complaint, description="The filer's torn jacket",
                                               storage_location="Locker 9", added_by=translator)
        CustodyRecord.objects.create(item=item, kind="received", from_name="Pat Doe", to_user=translator,
                                     recorded_by=translator)
        CustodyRecord.objects.create(evidence=evidence, kind="checked_out", from_user=translator,
                                     to_name="Evidence custodian", recorded_by=translator)
        earlier, _code = file_complaint(narrative="Earlier filing about the same stop.", filer_role="anonymous",
                                        language="en", label="public filer")
        ComplaintLink.objects.create(complaint=complaint, other=earlier, kind="related_to", reason="same stop",
                                     linked_by=translator)
    record_role_change(before=roles.account_roles(None), after=roles.account_roles(translator), by=None,
                       reason="test account", user=translator)
    complaint.follow_up_code = code
    return complaint


# -- the people and cases of the workflow (helpers that move them: tests/factories.py) ----------------------


@pytest.fixture
def team(staff, make_user, roster):
    """The people of a case: one user per role, plus an IA investigator on the roster and a second supervisor."""
    people = dict(staff)
    people["investigator"] = staff[roles.INVESTIGATOR]
    with recorded(label="test", reason="investigator's roster entry"):
        officer = roster["investigator"]
        officer.user = people["investigator"]
        officer.save()
    people["other investigator"] = make_user(roles.INVESTIGATOR, username="second-investigator")
    people["supervisor"] = staff[roles.SUPERVISOR]
    people["other supervisor"] = make_user(roles.SUPERVISOR, username="second-supervisor")
    people["chief"] = staff[roles.CHIEF]
    people["intake"] = staff[roles.INTAKE_COORDINATOR]
    people["auditor"] = staff[roles.AUDITOR]
    return people


@pytest.fixture
def file_case(roster):
    """File a complaint (harmed person and a witness, allegations against the patrol officer); return its case."""

    def make(narrative="The officer shoved me during a stop and called me names.", categories=("excessive-force",
             "discourtesy"), officer="officer", **fields):
        complaint, _code = file_complaint(
            narrative=narrative,
            filer_role=fields.pop("filer_role", "harmed"),
            language=fields.pop("language", "es"),
            incident_at=timezone.now() - datetime.timedelta(days=2),
            parties=fields.pop("parties", [
                {"role": "harmed", "is_filer": True, "name": "Rosa Díaz", "phone": "555-0101"},
                {"role": "witness", "name": "Sam Lee"},
            ]),
            allegations=[{"officer": roster[officer] if officer else None, "category": Category.objects.get(code=c)}
                         for c in categories],
            label="public filer",
            **fields,
        )
        return complaint.investigation

    return make


@pytest.fixture
def case(file_case):
    return file_case()


@pytest.fixture
def officer_in_unit(roster):
    def make(**fields):
        with recorded(label="test", reason="roster"):
            return Officer.objects.create(employee_id=f"E{Officer.objects.count() + 100}", **fields)

    return make


@pytest.fixture
def certified(roster):
    """The accused patrol officer, with a POST certification number."""
    officer = roster["officer"]
    with recorded(label="test", reason="certification number on the roster"):
        officer.post_certification_number = "IL-2011-48213"
        officer.save()
    return officer

# Jobs sent by the code under test go to an in-memory broker; tests that need a worker start one themselves.
from config.celery import app as _celery_app  # noqa: E402

_celery_app.conf.broker_url = "memory://"
_celery_app.conf.broker_transport_options = {}


# --- Evidence processing: a real clamd with a test signature, real media (tests/servers.py) ----------------


@pytest.fixture(scope="session")
def infected_file(tmp_path_factory):
    """A real video whose bytes are the test malware signature (sigtool cannot be fed real malware here)."""
    return h264_mp4(tmp_path_factory.mktemp("infected") / "infected.mp4", seconds=2)


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory, infected_file):
    server = Clamd(tmp_path_factory.mktemp("clamd"), infected_file)
    yield server
    server.stop()


@pytest.fixture
def clamd(settings, clamd_server):
    settings.EVIDENCE_SCAN = "clamd"
    settings.CLAMD_SOCKET = str(clamd_server.socket)
    settings.CLAMD_TCP = ""
    return clamd_server


@pytest.fixture
def scratch_dir(settings, tmp_path):
    settings.PROCESSING_TEMP_DIR = str(tmp_path / "processing")
    return tmp_path / "processing"


@pytest.fixture
def attach(complaint_with_everything, scratch_dir):
    """Store a real file through the evidence path and attach it to a complaint, as the intake views do."""

    def attach_file(path):
        with open(path, "rb") as handle:
            stored = evidence_files.store(File(handle, name=path.name))
        [item] = attach_evidence(complaint_with_everything, [stored], label="test", public=True)
        return item

    return attach_file


# --- S3: moto's server mode on an ephemeral port ------------------------------------------------------------

S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="session")
def moto():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def bucket(moto, settings, request):
    """A fresh bucket created with Object Lock (so versioned), used as the `evidence` storage."""
    name = f"evidence-{request.node.name[:30].lower().replace('_', '-')}-{os.urandom(3).hex()}"
    client = boto3.client("s3", endpoint_url=moto.url, **S3_CREDENTIALS)
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    settings.EVIDENCE_STORAGE = "s3"
    settings.EVIDENCE_S3_OBJECT_LOCK = True
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "complaints.storage.EvidenceS3Storage",
        "OPTIONS": {"bucket_name": name, "endpoint_url": moto.url, "access_key": "testing",
                    "secret_key": "testing", "region_name": "us-east-1", "file_overwrite": False,
                    "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
                    "signature_version": "s3v4", "transfer_config": _s3_transfer_config()}}}
    client.name = name
    return client




# --- Concurrent writers: committed transactions on real connections (PostgreSQL) -------------------------------


@pytest.fixture
def committed_database(django_db_setup, django_db_blocker):
    """A throwaway copy of the migrated PostgreSQL test database where every transaction really commits.

    Concurrent writers need their own connections and commits, which the test transaction of `django_db` hides;
    `transaction=True` would empty the tables afterwards, which the purge guards refuse. Skips on SQLite.
    """
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite has one writer)")
    import psycopg
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX
    from django.test.utils import setup_databases

    with django_db_blocker.unblock():
        settings_dict = connections.settings["default"]
        if not settings_dict["NAME"].startswith(TEST_DATABASE_PREFIX):
            # pytest-django sets up only the databases of tests marked django_db: never copy the real one.
            setup_databases(verbosity=0, interactive=False, keepdb=True, aliases={"default"})
        source = settings_dict["NAME"]
        copy = f"{source}_writers_{uuid.uuid4().hex[:8]}"
        admin_dsn = (f"host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432} "
                     f"user={settings_dict['USER']} dbname=postgres")
        connection.close()
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
        settings_dict["NAME"] = copy
        try:
            yield copy
        finally:
            connection.close()
            settings_dict["NAME"] = source
            with psycopg.connect(admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{copy}" WITH (FORCE)')  # the whole throwaway copy
