"""The file system as the walk sees it: how a folder is listed and its files stat'ed (:mod:`.lister`, a plain
twin and a C one, and a thread that stats ahead, :mod:`.statahead`), and the one definition of how listings and
file identities are packed into bytes (:mod:`.codec`), which the walk, the state and the prefetch all read; and a
file's facts as read (:mod:`.facts`: size, mtime, sha256), which the scan keeps and the quarantine checks; and
reading and writing whole through a descriptor (:mod:`.descriptors`)."""
