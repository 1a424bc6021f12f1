"""Run by the import-limits tests in a process of its own, so that its memory is its own:

    python -m hosen.reports.tests.measure_import FOLDER NAME...

checks FOLDER/NAME.xlsx with the importer for each NAME and prints one JSON line per file: how much the
process's resident memory grew at its peak (MB), how long the check took (s), and what it answered. A file that
takes more than `TIME_LIMIT` seconds is stopped; the address space is capped a few GB above the start, so that
a file that would take all the machine's memory fails here instead."""

import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

TIME_LIMIT = 30
HEADROOM = 3 * 1024 * 1024 * 1024


class TooSlow(Exception):
    pass


def _status(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB -> MB
    raise KeyError(key)


def _reset_peak():
    """Linux lets a process reset its own peak resident size (VmHWM); elsewhere the peak is since the start."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def _alarm(signum, frame):
    raise TooSlow


def main(folder, names):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hosen.settings")
    import django

    django.setup()
    from django import forms
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from hosen.reports.importer import ImportColumn, Importer

    notes = [f"note_{i}" for i in range(18)]  # a file as wide as the widest register, twice over
    PersonForm = type("PersonForm", (forms.Form,), {
        "full_name": forms.CharField(max_length=50), "age": forms.IntegerField(min_value=0, required=False),
        **{note: forms.CharField(required=False) for note in notes}})

    class PersonImporter(Importer):
        columns = [ImportColumn("full_name", "full_name", required=True), ImportColumn("age", "age"),
                   *(ImportColumn(note, note) for note in notes)]
        form_class = PersonForm

        def write(self, rows):
            return {"created": len(rows)}

    translation.activate("en")
    PersonImporter().check(SimpleUploadedFile("warm.csv", b"full_name,age\nDana,40\n"))  # imports and caches
    size = _status("VmSize") * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (int(size + HEADROOM), resource.getrlimit(resource.RLIMIT_AS)[1]))
    signal.signal(signal.SIGALRM, _alarm)
    for name in names:
        upload = SimpleUploadedFile(f"{name}.xlsx", (Path(folder) / f"{name}.xlsx").read_bytes())
        _reset_peak()
        before = _status("VmRSS")
        start = time.monotonic()
        signal.alarm(TIME_LIMIT)
        try:
            result = PersonImporter().check(upload)
            answer = {"ok": result.ok, "problem": result.problem, "rows": result.rows,
                      "errors": [(e.row, e.column, e.message) for e in result.errors[:3]]}
        except TooSlow:
            answer = {"stopped": f"still reading after {TIME_LIMIT} s"}
        except MemoryError:
            answer = {"stopped": "out of memory"}
        finally:
            signal.alarm(0)
        seconds = time.monotonic() - start
        grew = _status("VmHWM") - before
        del upload
        print(json.dumps({"name": name, "seconds": round(seconds, 2), "rss_growth_mb": round(grew, 1), **answer}),
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
