"""A lister for incremental scans: a folder whose listing the state remembers, and that did not change since, is
not read again (a fstat instead of reading its entries), and its files' identities are taken from the prefetch
when it found the folder as the walk finds it.

It wraps the walk's lister (the C one or its plain twin, with or without the stat-ahead thread), so remembered
listings work the same without the C module.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Protocol

from ..fs.codec import (
    IDENTITY_BYTES,
    Identities,
    find_identity,
    folder_identity,
    join_others,
    listing_stands,
    packed_listed,
    packed_pairs,
    split_names,
    split_others,
    unpacked_identities,
)
from ..fs.lister import REMEMBERED_ON, FolderListing, Lister, ListerWrapper, Skip

if TYPE_CHECKING:
    from .prefetch import StatPrefetch
    from .store import FolderSnapshot


class FolderSnapshots(Protocol):
    """Where the listings an earlier walk made are kept: the folders' snapshots in the state."""

    def snapshot(self, absolute_dir: str) -> FolderSnapshot | None:
        """The folder as the state remembers it, if it does."""
        ...


class RememberingLister(ListerWrapper):
    """Lists folders through the listings ``known`` remembered where they stand (see
    :func:`~detector.fs.codec.listing_stands`), and gives every other folder's listing to be remembered; both
    only on local file systems (:data:`~detector.fs.lister.REMEMBERED_ON`)."""

    def __init__(self, inner: Lister, known: FolderSnapshots, prefetch: StatPrefetch | None = None) -> None:
        super().__init__(inner)
        self.known = known
        self.prefetch = prefetch
        self.remembering: dict[int, bool] = {}  # by device: on a file system where listings are remembered

    def list(self, directory: str, absolute_dir: str, fd: int, skip: Skip) -> FolderListing:
        st = os.fstat(fd)
        if not self._remembers(st.st_dev, fd):
            return self.inner.list(directory, absolute_dir, fd, skip)
        folder = folder_identity(st)
        snapshot = self.known.snapshot(absolute_dir)
        if snapshot is not None and snapshot.listed is not None and listing_stands(snapshot.listed, folder):
            files, others = snapshot.listed_files or b"", snapshot.listed_others or b""
            names = split_names(files)
            identities = self.prefetch.take(absolute_dir, folder, files) if self.prefetch else None
            return FolderListing(directory, absolute_dir, fd, names, files, split_others(others),
                                 identities=_prestated(names, identities, skip), listed=snapshot.listed,
                                 listed_files=files, listed_others=others)
        listed = packed_listed(folder, time.time_ns())  # the time before the listing: it only settles later
        listing = self.inner.list(directory, absolute_dir, fd, skip)
        if listed is None:
            return listing
        return listing._replace(listed=listed, listed_files=listing.joined, listed_others=join_others(listing.others))

    def _remembers(self, dev: int, fd: int) -> bool:
        remembers = self.remembering.get(dev)
        if remembers is None:
            remembers = self.remembering[dev] = self.inner.filesystem_type(fd) in REMEMBERED_ON
        return remembers


def _prestated(names: list[str], identities: bytes | None, skip: Skip) -> Identities | None:
    """The files' identities as the prefetch stat'ed them, when it stat'ed them all and none is one of our own
    files (``skip``, left out as the lister's own stat leaves them out); None, and the walk stats them."""
    if identities is None or len(identities) != IDENTITY_BYTES * len(names):
        return None
    if skip:
        pairs = packed_pairs(skip)
        if pairs is None or find_identity(identities, pairs) >= 0:
            return None
    return unpacked_identities(identities)
