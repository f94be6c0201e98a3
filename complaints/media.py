"""ffprobe, ffmpeg and exiftool on local copies of evidence: metadata, poster frames, thumbnails, playable copies
and copies without location, device and author data.

Every function takes and returns local paths (ffmpeg needs seekable files); complaints.processing copies files
between the evidence storage and a scratch folder.
"""

import json
import re
import subprocess
from functools import cache

from django.conf import settings


class ToolFailed(Exception):
    """ffmpeg/ffprobe refused the file (damaged or not really media): retrying would not help."""


@cache
def ffmpeg_version():
    first = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    match = re.match(r"ffmpeg version (\S+)", first)
    return f"ffmpeg {match.group(1) if match else first}"


@cache
def exiftool_version():
    return "exiftool " + subprocess.run(["exiftool", "-ver"], capture_output=True, text=True, check=True).stdout.strip()


def _run(args, timeout=6 * 3600):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise ToolFailed((result.stderr.strip().splitlines() or ["no output"])[-1][:500])
    return result.stdout


def probe(path):
    """ffprobe's view of the file: duration, container, codecs, size, recording time, device and GPS if present."""
    raw = json.loads(_run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                           str(path)]) or "{}")
    fmt = raw.get("format", {})
    tags = {k.lower(): v for k, v in fmt.get("tags", {}).items()}
    streams = raw.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    for stream in (video, audio):
        for k, v in (stream or {}).get("tags", {}).items():
            tags.setdefault(k.lower(), v)
    metadata = {
        "format": fmt.get("format_name", ""),
        "duration": float(fmt["duration"]) if fmt.get("duration") not in (None, "N/A") else None,
        "video_codec": video.get("codec_name") if video else None,
        "width": video.get("width") if video else None,
        "height": video.get("height") if video else None,
        "audio_codec": audio.get("codec_name") if audio else None,
        "recorded_at": tags.get("com.apple.quicktime.creationdate") or tags.get("creation_time"),
        "device": " ".join(filter(None, [tags.get("com.apple.quicktime.make") or tags.get("com.android.manufacturer")
                                         or tags.get("make"),
                                         tags.get("com.apple.quicktime.model") or tags.get("com.android.model")
                                         or tags.get("model")])) or None,
        "gps": tags.get("com.apple.quicktime.location.iso6709") or tags.get("location") or None,
    }
    rotation = next((sd.get("rotation") for sd in (video or {}).get("side_data_list", []) if "rotation" in sd), None)
    if rotation is not None:
        metadata["rotation"] = rotation
    return metadata


# What Chromium, Firefox and Safari all play without help.
PLAYABLE_VIDEO = {("mp4", "h264"), ("webm", "vp8"), ("webm", "vp9")}
PLAYABLE_AUDIO = {"aac", "mp3", "opus", "vorbis", "pcm_s16le", "flac", None}


def needs_playable_copy(kind, mime_type, metadata):
    """True for video or audio a browser cannot play as given (HEVC, .mov, .3gp, .avi, .wmv, AMR, ...)."""
    container = {"video/mp4": "mp4", "audio/mp4": "mp4", "audio/x-m4a": "mp4", "video/webm": "webm"}.get(mime_type)
    if kind == "video":
        return ((container, metadata.get("video_codec")) not in PLAYABLE_VIDEO
                or metadata.get("audio_codec") not in PLAYABLE_AUDIO)
    if kind == "audio":
        return mime_type not in {"audio/mpeg", "audio/ogg", "audio/x-wav", "audio/wav", "audio/vnd.wave"} and not (
            container == "mp4" and metadata.get("audio_codec") == "aac")
    return False


def poster(source, target, duration):
    """A JPEG frame from a tenth into the video (skipping black first frames), at most 720 lines high."""
    at = min(max((duration or 0) / 10, 0), 5)
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{at:.2f}", "-i", str(source), "-frames:v", "1",
          "-vf", "scale=-2:'min(720,ih)'", "-q:v", "3", str(target)])
    return _command_line("-ss", f"{at:.2f}", "-frames:v", "1", "-vf", "scale=-2:'min(720,ih)'")


def thumbnail(source, target):
    """A small JPEG (320 pixels wide) of a photo or a poster frame."""
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-frames:v", "1",
          "-vf", "scale=320:-2", "-q:v", "4", str(target)])
    return _command_line("-frames:v", "1", "-vf", "scale=320:-2")


def playable_copy(source, target, kind):
    """An H.264/AAC MP4 (moov atom first, so playback starts before the whole file arrives) of video or audio.

    Metadata (location, device, author) is not copied: staff play this copy, the original keeps everything.
    """
    if kind == "video":
        codec_args = ["-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset",
                      settings.EVIDENCE_TRANSCODE_PRESET, "-crf", "23", "-pix_fmt", "yuv420p",
                      "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    else:
        codec_args = ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "128k"]
    args = [*codec_args, "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4"]
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), *args, str(target)])
    return _command_line(*args)


def _command_line(*args):
    return " ".join(["ffmpeg", "-i", "ORIGINAL", *args, "OUTPUT"])


# The container a stripped copy keeps (and so its file name ending), by the original's type.
STRIPPED_EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/heif": "heif", "image/webp": "webp",
    "video/mp4": "mp4", "video/x-m4v": "m4v", "video/quicktime": "mov", "video/3gpp": "3gp", "video/3gpp2": "3g2",
    "video/webm": "webm", "video/x-matroska": "mkv", "video/x-msvideo": "avi", "video/avi": "avi",
    "audio/x-m4a": "m4a", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/x-wav": "wav", "audio/wav": "wav",
    "audio/vnd.wave": "wav", "audio/ogg": "ogg", "audio/x-hx-aac-adts": "aac", "audio/aac": "aac",
    "audio/amr": "amr", "audio/x-amr": "amr",
}
# Everything exiftool can write goes (EXIF with GPS, make, model, serial numbers and owner; XMP; IPTC; maker
# notes; comments), but the orientation and colour profile come back: without them the picture looks wrong.
EXIFTOOL_STRIP = ["-all=", "-tagsfromfile", "@", "-Orientation", "-ICC_Profile"]
# Global and per-stream tags (Apple's location and make/model atoms, ID3, Vorbis comments) are not copied, nor
# chapters, and only the first picture and sound streams are kept: a phone's timed-metadata track carries GPS.
FFMPEG_STRIP = ["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]


def stripped_copy(source, target, kind):
    """A copy of a photo, video or recording without location, device and author data; (tool, command line).

    Pictures and sound are copied as they are (no re-encoding). A container ffmpeg cannot write back as it was
    given raises ToolFailed; the caller then makes a playable copy instead, which carries no metadata either.
    """
    if kind == "photo":
        _run(["exiftool", "-q", "-q", *EXIFTOOL_STRIP, "-o", str(target), str(source)])
        return exiftool_version(), " ".join(["exiftool", *EXIFTOOL_STRIP, "-o", "OUTPUT", "ORIGINAL"])
    args = FFMPEG_STRIP if kind == "video" else ["-map", "0:a:0", *FFMPEG_STRIP[4:]]
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), *args, str(target)])
    return ffmpeg_version(), _command_line(*args)
