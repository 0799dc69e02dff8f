"""Reading copies of SQLite's files as someone who copied them would: the main
file and the write-ahead log, frame by frame, grouped into the transactions that
committed them. Used by the file-level secrecy tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Copy:
    main: bytes
    wal: bytes


def copy_files(database: Path, into: Path) -> Copy:
    """Copy the database's files now (main, -wal, -journal), as bytes."""
    into.mkdir(parents=True, exist_ok=True)
    found = {}
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            target = into / f"copy.db{suffix}"
            shutil.copyfile(source, target)
            found[suffix] = target.read_bytes()
    return Copy(found.get("", b"") + found.get("-journal", b""), found.get("-wal", b""))


def wal_transactions(wal: bytes) -> list[bytes]:
    """The pages each committed transaction of the WAL's current generation
    wrote, concatenated, in commit order (frames after the last commit are an
    unfinished transaction and left out)."""
    if len(wal) < 32:
        return []
    page_size = int.from_bytes(wal[8:12], "big")
    salt = wal[16:24]
    transactions, pages = [], []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        header = wal[offset : offset + 24]
        if header[8:16] != salt:
            break
        pages.append(wal[offset + 24 : offset + 24 + page_size])
        if int.from_bytes(header[4:8], "big"):  # the commit frame
            transactions.append(b"".join(pages))
            pages = []
        offset += 24 + page_size
    return transactions


def present(blob: bytes, needles: Iterable[str]) -> set[str]:
    """The needles found in ``blob``; one ending in a digit only when no digit
    follows ("account:1" is not found inside "account:17")."""
    found = set()
    for needle in needles:
        pattern = re.escape(needle.encode())
        if needle[-1:].isdigit():
            pattern += rb"(?![0-9])"
        if re.search(pattern, blob):
            found.add(needle)
    return found


def links_by_transaction(copy: Copy, voters: set[str], contents: set[str]) -> dict[str, str]:
    """The attack: walk the WAL's transactions in order, knowing what the main
    file already holds; a transaction that brings exactly one new voter and
    exactly one new content links them. Returns voter -> content guessed."""
    known_voters, known_contents = present(copy.main, voters), present(copy.main, contents)
    links = {}
    for pages in wal_transactions(copy.wal):
        new_voters = present(pages, voters - known_voters)
        new_contents = present(pages, contents - known_contents)
        if len(new_voters) == 1 and len(new_contents) == 1:
            links[next(iter(new_voters))] = next(iter(new_contents))
        known_voters |= new_voters
        known_contents |= new_contents
    return links


def smallest_batch(copy: Copy, contents: set[str]) -> int | None:
    """The fewest contents that first appear together in one WAL transaction
    (None when no content appears in the WAL)."""
    known = present(copy.main, contents)
    sizes = []
    for pages in wal_transactions(copy.wal):
        new = present(pages, contents - known)
        if new:
            sizes.append(len(new))
        known |= new
    return min(sizes) if sizes else None
