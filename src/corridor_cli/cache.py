"""The parse cache: what loading a fact file gave, kept in the user's cache directory so a
file is parsed once until it changes.

Where: $XDG_CACHE_HOME/corridor (else ~/.cache/corridor) on Linux and other Unix
systems, and the platform's cache directory through platformdirs elsewhere (macOS,
Windows); CORRIDOR_CACHE_DIR names another directory, and CORRIDOR_NO_CACHE=1 turns the
cache off. Under it, one directory per package version, cache schema and Python
version: an upgrade never reads what an older corridor wrote.

What: an entry is a pickle of (key, value), in a file named after what it is for (a
fact file's real path and the directory it was found under; or the list of
directories loaded), and a fact file's facts are a parts file beside it: pickled blobs
by topic and years, each read alone (put_parts, get_parts), so that a query reads the
facts it may match and not the whole base. The key holds the digest of the content it
was built from (content_digest: BLAKE2b, or SHA-256 for a file of 256 KiB or more), so
an entry is used only for exactly those bytes: an edited file misses, a touched but
unchanged one hits, and nothing is ever served stale, whatever the clock or the file
system's timestamp granularity.

Safety: an entry is written to a temporary file and renamed into place, so a reader
sees a whole entry or none, and two processes loading at once each get a correct
result. An entry that cannot be read (corrupted, truncated, written by something
else) is a miss; a cache directory that cannot be created or written is no cache.
Neither is reported: the files are parsed as if there were no cache, which is always
correct. The directory must belong to the user and not be writable by others, since
a pickle is code: one that is not is not used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from corridor_cli import __version__

# Bump when the records, problems or what the loader stores change shape or meaning.
SCHEMA = 5

_MISS = object()

# Reading takes only the C unpickler, which pickle itself re-exports: pickle.py (its
# pure-Python pickler, about 1.5 ms to import) is imported only when something is written.
try:
    from _pickle import load as unpickle_file, loads as unpickle
except ImportError:  # pragma: no cover - a Python without the C accelerator
    from pickle import load as unpickle_file, loads as unpickle


def pickled(value: Any) -> bytes:
    """value as the bytes unpickle reads back."""
    import pickle

    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


try:  # hashlib would import OpenSSL's bindings first, a few ms on every run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
    from hashlib import blake2b


def digest(*parts: bytes | str) -> str:
    h = blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


# A file this large is digested with SHA-256, which OpenSSL computes with the CPU's own
# instructions (about 2.5 times BLAKE2b's speed here) but which costs some 6 ms to import:
# only worth it for large files. Which one a file gets depends on its size alone.
_LARGE = 1 << 18


def content_digest(data: bytes) -> str:
    """The digest a file's bytes are known by in the cache."""
    if len(data) < _LARGE:
        return digest(data)
    try:
        from _hashlib import openssl_sha256 as sha256
    except ImportError:  # pragma: no cover - a Python without OpenSSL
        from hashlib import sha256
    return "sha256-" + sha256(data).hexdigest()


def cache_root(environ: Mapping[str, str]) -> Path | None:
    """The cache directory for this corridor, or None when the cache is off."""
    if environ.get("CORRIDOR_NO_CACHE", "").strip() not in ("", "0"):
        return None
    chosen = environ.get("CORRIDOR_CACHE_DIR", "").strip()
    if chosen:
        base = Path(chosen)
    elif os.name == "posix" and sys.platform != "darwin":
        xdg = environ.get("XDG_CACHE_HOME", "").strip()
        base = (Path(xdg) if xdg and os.path.isabs(xdg)
                else Path(environ.get("HOME") or os.path.expanduser("~")) / ".cache") / "corridor"
    else:  # pragma: no cover - macOS and Windows
        import platformdirs

        base = platformdirs.user_cache_path("corridor", appauthor=False)
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return base / f"v{__version__}-s{SCHEMA}-{python}"


class Cache:
    """Entries under one directory; every failure is a miss or a no-op, never an error."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._usable: bool | None = None

    def _ready(self, create: bool) -> bool:
        if self.root is None:
            return False
        if self._usable is not None and (self._usable or not create):
            return self._usable
        try:
            if create:
                self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = os.stat(self.root)
        except OSError:
            self._usable = False if create else None
            return False
        owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
        self._usable = owner_ok and not (st.st_mode & 0o022)
        return self._usable

    def _path(self, name: str, suffix: str = ".pickle") -> Path:
        return self.root / f"{name}{suffix}"  # type: ignore[operator]

    def get(self, name: str, key: str) -> Any:
        """The value stored under name for exactly this key, else _MISS."""
        if not self._ready(create=False):
            return _MISS
        try:
            with open(self._path(name), "rb") as f:
                stored_key, value = unpickle_file(f)
        except Exception:  # missing, truncated, corrupted, from another program: a miss
            return _MISS
        return value if stored_key == key else _MISS

    def put(self, name: str, key: str, value: Any) -> None:
        self._write(name, ".pickle", lambda f: f.write(pickled((key, value))))

    def _write(self, name: str, suffix: str, write: Callable[[BinaryIO], None]) -> None:
        """write into a temporary file renamed to the entry's: a reader sees a whole entry
        or none. Any failure (full disk, read-only, a value that will not pickle) is no
        cache."""
        if not self._ready(create=True):
            return
        path = self._path(name, suffix)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(write):x}.tmp")
        try:
            with open(tmp, "wb") as f:
                write(f)
            os.replace(tmp, path)
        except Exception:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    # Parts: named byte strings in one file, each read alone (a query reads the facts of
    # its topics and years, not a whole file's). The file: _PARTS_MAGIC, the header's
    # length (8 bytes), the header (a pickle of the key and each part's offset and length
    # after it), then the parts.
    def put_parts(self, name: str, key: str, parts: Mapping[Any, bytes]) -> None:
        index, offset = {}, 0
        for part, data in parts.items():
            index[part] = (offset, len(data))
            offset += len(data)
        header = pickled((key, index))

        def write(f: BinaryIO) -> None:
            f.write(_PARTS_MAGIC + len(header).to_bytes(8, "little") + header)
            for data in parts.values():
                f.write(data)

        self._write(name, ".parts", write)

    def get_parts(self, name: str, key: str, wanted: Iterable[Any]) -> Any:
        """The wanted parts stored under name for exactly this key (a dict), else _MISS."""
        if not self._ready(create=False):
            return _MISS
        try:
            with open(self._path(name, ".parts"), "rb") as f:
                head = f.read(len(_PARTS_MAGIC) + 8)
                if not head.startswith(_PARTS_MAGIC) or len(head) != len(_PARTS_MAGIC) + 8:
                    return _MISS
                header = f.read(int.from_bytes(head[-8:], "little"))
                stored_key, index = unpickle(header)
                if stored_key != key:
                    return _MISS
                start = len(head) + len(header)
                found = {}
                for part in wanted:
                    offset, length = index[part]
                    f.seek(start + offset)
                    data = f.read(length)
                    if len(data) != length:
                        return _MISS
                    found[part] = data
                return found
        except Exception:  # missing, truncated, corrupted, a part it does not hold: a miss
            return _MISS


_PARTS_MAGIC = b"corridor-parts-1\n"


def hit(value: Any) -> bool:
    return value is not _MISS
