"""Malware scan through clamd's INSTREAM command: the file streams from the evidence storage to the scanner in
chunks, so no local path is needed and memory stays flat whatever the file's size."""

import socket
import struct

from django.conf import settings

CHUNK = 1024 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered with an error; the scan is retried later."""


def _connect():
    if settings.CLAMD_TCP:
        host, _, port = settings.CLAMD_TCP.rpartition(":")
        sock = socket.create_connection((host or "127.0.0.1", int(port)), timeout=settings.CLAMD_TIMEOUT)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(settings.CLAMD_TIMEOUT)
        sock.connect(settings.CLAMD_SOCKET)
    return sock


def _command(sock, command):
    sock.sendall(b"z" + command + b"\0")


def _reply(sock):
    data = bytearray()
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return bytes(data).rstrip(b"\0").decode("utf-8", "replace").strip()


def version():
    """clamd's version line, e.g. 'ClamAV 1.4.6/1/...' (recorded with each verdict)."""
    try:
        with _connect() as sock:
            _command(sock, b"VERSION")
            return _reply(sock)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error


def scan(fileobj):
    """('clean', '') or ('infected', signature name) for the bytes of `fileobj`; ScannerUnavailable otherwise."""
    try:
        with _connect() as sock:
            _command(sock, b"INSTREAM")
            while chunk := fileobj.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = _reply(sock)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    # "stream: OK", "stream: Eicar-Signature FOUND", or "... ERROR" (e.g. a size limit in clamd.conf).
    result = answer.split(":", 1)[-1].strip()
    if result == "OK":
        return "clean", ""
    if result.endswith(" FOUND"):
        return "infected", result[: -len(" FOUND")].strip()
    raise ScannerUnavailable(f"clamd: {answer}")
