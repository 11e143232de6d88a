"""mynumber watch: follow shares and logs live, and say the moment My Numbers appear, go, or make the exposure
reportable.

Four parts, data flowing one way:

* :mod:`.observe`: watchdog's observer (inotify, or polling for SMB/CIFS and NFS mounts) feeds changes into a
  queue; a path is read once it has settled; a dead observer is restarted (:class:`Supervised`);
* :mod:`.follow`: a file is read as ``tail -F`` reads it: a log that grew only from where the last read
  stopped, whole lines only, its unterminated last line kept back for a while; its bytes go through the same
  scanner entry as a scan's text;
* :mod:`.watcher`: what a file gives now against what it gave before becomes ``finding`` and ``cleared`` events
  (rotations recognised; ``baselined`` for those ``--baseline`` accepts), the people exposed are kept in an
  :class:`~detector.exposure.Exposure` and what else bounds them in :mod:`.bound` (held back, not read), and an
  ``assessment`` event marks each change of the assessment; ``--state`` keeps all that across restarts;
* :mod:`.alerts`: events go to the event stream (:class:`EventStream`), the ``--exec`` command and syslog.
"""

from __future__ import annotations

from .alerts import EventStream, describe
from .observe import Supervised, observe
from .watcher import Watcher, WatchOptions

__all__ = ["EventStream", "Supervised", "WatchOptions", "Watcher", "describe", "observe"]
