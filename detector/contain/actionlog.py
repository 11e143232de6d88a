"""Every action of a quarantine or a restore, appended as one json line to ``DIR/actions.jsonl`` (0600): the
incident record of what was moved, refused, put back and left as a placeholder, when, and why.

Each line is written and synced before the action it announces is taken further, so the record survives a
crash. Paths are written as every writer writes names (:func:`detector.names.shown`: a number in a name
masked, control characters and bytes that are not UTF-8 escaped).
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..names import shown
from ..outputs import open_append
from ..times import rfc3339

ACTIONS_NAME = "actions.jsonl"


class ActionLog:
    """The json lines of one run (``run``: its id), appended to the quarantine folder's log."""

    def __init__(self, folder: str, run: str) -> None:
        self.path = os.path.join(folder, ACTIONS_NAME)
        self.run = run

    def record(self, action: str, path: str | None = None, **details: Any) -> None:
        """One line: the time, the run, the action, the path (shown) and what else says what happened."""
        line: dict[str, Any] = {"time": rfc3339(), "run": self.run, "action": action}
        if path is not None:
            line["path"] = shown(path)
        line.update(details)
        fd = open_append(self.path, "the quarantine's action log")
        try:
            os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
