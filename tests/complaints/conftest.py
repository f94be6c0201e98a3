import pytest
from django.core.files import File

from complaints import evidence as evidence_files
from complaints.services import attach_evidence
from tests.servers import Clamd, h264_mp4


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
