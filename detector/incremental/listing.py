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
    RememberedListing,
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
from ..fs.lister import REMEMBERED_ON, Listed, Lister, ListerWrapper, Skip, Stated

if TYPE_CHECKING:
    from .prefetch import StatPrefetch


class RememberedListings(Protocol):
    """Where the listings an earlier walk made are kept (the folders' snapshots in the state)."""

    def remembered_listing(self, absolute_dir: str) -> RememberedListing | None:
        """The folder's listing as the last walk made it (``listed.remembered`` of an earlier one), if kept."""
        ...


class RememberingLister(ListerWrapper):
    """Lists folders through the listings ``known`` remembered where they stand (see
    :class:`~detector.fs.codec.RememberedListing`), and gives every other folder's listing to be remembered;
    both only on local file systems (:data:`~detector.fs.lister.REMEMBERED_ON`)."""

    def __init__(self, inner: Lister, known: RememberedListings, prefetch: StatPrefetch | None = None) -> None:
        super().__init__(inner)
        self.known = known
        self.prefetch = prefetch
        self.remembering: dict[int, bool] = {}  # by device: on a file system where listings are remembered

    def list(self, fd: int, absolute_dir: str, skip: Skip) -> Listed:
        st = os.fstat(fd)
        if not self._remembers(st.st_dev, fd):
            return self.inner.list(fd, absolute_dir, skip)
        folder = folder_identity(st)
        remembered = self.known.remembered_listing(absolute_dir)
        if remembered is not None and listing_stands(remembered.folder, folder):
            names = split_names(remembered.files)
            identities = self.prefetch.take(absolute_dir, folder, remembered.files) if self.prefetch else None
            stated = _prestated(names, remembered.files, identities, skip)
            return Listed(names, remembered.files, split_others(remembered.others), remembered, stated)
        listed = packed_listed(folder, time.time_ns())  # the time before the listing: it only settles later
        entries = self.inner.list(fd, absolute_dir, skip)
        if listed is None:
            return entries
        return entries._replace(remembered=RememberedListing(listed, entries.joined, join_others(entries.others)))

    def _remembers(self, dev: int, fd: int) -> bool:
        remembers = self.remembering.get(dev)
        if remembers is None:
            remembers = self.remembering[dev] = self.inner.filesystem_type(fd) in REMEMBERED_ON
        return remembers


def _prestated(names: list[str], joined: bytes, identities: bytes | None, skip: Skip) -> Stated | None:
    """The files as the prefetch stat'ed them, when it stat'ed them all and none is one of our own files
    (``skip``, left out as the lister's own stat leaves them out); None, and the walk stats them."""
    if identities is None or len(identities) != IDENTITY_BYTES * len(names):
        return None
    if skip:
        pairs = packed_pairs(skip)
        if pairs is None or find_identity(identities, pairs) >= 0:
            return None
    return Stated(names, joined, unpacked_identities(identities), [])
