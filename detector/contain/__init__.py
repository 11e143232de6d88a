"""Containment after a scan: ``mynumber quarantine`` moves the exposed files of a saved scan into a private
folder, with a manifest that puts them back (``--restore``), and optionally leaves a 410 Gone placeholder for a
web root's URLs.

The stages, one module each, in the order a run takes them: :mod:`.plan` (which files of the scan move, and the
checks that refuse one: changed since the scan, a symbolic link on the way, another host's file),
:mod:`.paths` (a path under a root opened one component at a time, never through a link), :mod:`.move` (one
file moved: a rename on the same file system, else copy, fsync, verify the sha256, then remove), :mod:`.manifest`
(the json record of what moved, 0600, written before an original is removed), :mod:`.placeholder` (Apache and
nginx 410 rules), :mod:`.actionlog` (every action appended as json lines, 0600, for the incident record),
:mod:`.quarantine` (a run: dry or applied) and :mod:`.restore` (a manifest's files put back).

Nothing here writes a raw My Number: names go through :func:`detector.names.shown` (a number in a name masked),
findings are kept as the scan kept them (masked number, fingerprint, location, confidence).
"""

from __future__ import annotations

from .manifest import Entry, FolderTimes, PlaceholderRecord
from .plan import Checked, Exposed, Refusal, ScanFacts
from .quarantine import Outcome, QuarantineOptions, quarantine
from .restore import restore

__all__ = ["Checked", "Entry", "Exposed", "FolderTimes", "Outcome", "PlaceholderRecord", "QuarantineOptions",
           "Refusal", "ScanFacts", "quarantine", "restore"]
