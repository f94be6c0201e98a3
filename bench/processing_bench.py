"""Benchmark of evidence processing (scan, probe, poster + thumbnail, playable copy) on a phone-sized video.

Usage (from the repository root):

    .venv/bin/python bench/processing_bench.py --minutes 1 --rounds 5 --presets veryfast,superfast   # A/B pairs
    .venv/bin/python bench/processing_bench.py --minutes 10 --rounds 1 --presets superfast            # the goal

The video is made by ffmpeg (1920x1080, 30 fps, H.264 High in a .mov with AAC stereo, the way many phones record;
a .mov always gets a playable MP4 copy, so the full re-encode is measured). Each round files it as evidence in a
throwaway SQLite database with local storage and runs every processing step in this process
(complaints.processing.process_now), scanning with a real clamd started here. Rounds alternate the presets
(A, B, A, B, ...) so that the machine's changing load falls on both.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# A throwaway key, long enough for the settings check (production keys come from the environment).
BENCH_KEY = "bench-only-secret-7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d"

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--presets", default="veryfast,superfast")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="processing-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update({"DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "VAR_DIR": str(work / "var"),
                       "DJANGO_SECRET_KEY": BENCH_KEY, "DJANGO_SETTINGS_MODULE": "config.settings"})
    os.environ.pop("DEBUG", None)
    seconds = int(args.minutes * 60)
    video = work / f"phone-{seconds}s.mov"
    if not video.exists():
        started = time.monotonic()
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size=1920x1080:rate=30:duration={seconds}", "-f", "lavfi", "-i",
                        f"sine=frequency=300:sample_rate=48000:duration={seconds}", "-ac", "2", "-c:v", "libx264",
                        "-preset", "ultrafast", "-profile:v", "high", "-pix_fmt", "yuv420p", "-b:v", "16M",
                        "-c:a", "aac", "-b:a", "192k", str(video)], check=True)
        print(f"made {video.name} ({video.stat().st_size / 2**20:.0f} MiB) in {time.monotonic() - started:.0f} s")

    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command

    from complaints import evidence as evidence_files
    from complaints.services import attach_evidence, file_complaint
    from tests.servers import Clamd

    call_command("migrate", "--no-input", verbosity=0)
    signature_file = work / "signature.bin"
    signature_file.write_bytes(b"a file that matches nothing we process")
    clamd = Clamd(Path(tempfile.mkdtemp(dir=work)), signature_file)
    settings.EVIDENCE_SCAN = "clamd"
    settings.CLAMD_SOCKET = str(clamd.socket)
    from complaints.processing import run_step

    presets = args.presets.split(",")
    times = {p: [] for p in presets}
    steps_of = {p: [] for p in presets}
    cpu_of = {p: [] for p in presets}  # CPU seconds of ffmpeg/ffprobe: what an idle machine would need
    try:
        for round_number in range(args.rounds):
            for preset in presets:
                settings.EVIDENCE_TRANSCODE_PRESET = preset
                complaint, _ = file_complaint(narrative="bench", filer_role="anonymous", label="bench")
                with open(video, "rb") as handle:
                    stored = evidence_files.store(File(handle, name=video.name))
                [item] = attach_evidence(complaint, [stored], label="bench")
                step_times = {}
                cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                for step in ("scan", "probe", "pictures", "playable", "finish"):
                    step_started = time.monotonic()
                    run_step(item.pk, step)
                    step_times[step] = time.monotonic() - step_started
                total = time.monotonic() - started
                cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
                cpu_of[preset].append(cpu)
                times[preset].append(total)
                steps_of[preset].append(step_times)
                copy = item.derived["playback"]
                print(f"round {round_number + 1} {preset}: {total:.1f} s "
                      + " ".join(f"{k}={v:.1f}" for k, v in step_times.items())
                      + f" ffmpeg-cpu={cpu:.1f} s copy={copy.size / 2**20:.0f} MiB load={os.getloadavg()[0]:.1f}",
                      flush=True)
    finally:
        clamd.stop()
    print(f"video: {seconds} s of 1920x1080 30 fps; cores: {os.cpu_count()}")
    for preset in presets:
        values = times[preset]
        print(f"{preset}: min {min(values):.1f} s, median {statistics.median(values):.1f} s, "
              f"{len(values)} rounds, min/duration {min(values) / seconds:.2f}; ffmpeg CPU min "
              f"{min(cpu_of[preset]):.1f} s, median {statistics.median(cpu_of[preset]):.1f} s "
              f"(on 2 idle cores at best {min(cpu_of[preset]) / 2 / seconds:.2f} x the duration)")


if __name__ == "__main__":
    main()
