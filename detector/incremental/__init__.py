"""Incremental scans (``--state``): what earlier scans learned, kept so a scheduled scan reads only what changed.

- :mod:`.store`: the state file, and the only module that speaks SQL;
- :mod:`.changes`: each folder's listing compared with its snapshot, changed files read, snapshots written again;
- :mod:`.listing`: a lister that takes the listings the state remembers instead of reading folders again;
- :mod:`.prefetch`: a thread that stats remembered folders while the scan's modules load.

Nothing is imported here, so starting the prefetch loads only what it needs.
"""
