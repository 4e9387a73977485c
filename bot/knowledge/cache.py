"""The index cache under PROBITY_HOME: reuse a built index until a source file changes.

The key is a SHA-256 of every policy file's name and bytes, the knowledge files and the
engine version, so editing a policy, adding a PDF or upgrading Probity each rebuild once.
Files are numpy .npz (read with allow_pickle=False) and JSON: nothing in the cache can run
code, which matters because PROBITY_HOME may be shared or backed up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.knowledge.fields import PolicyIndex, heading_limit_phrases
from bot.knowledge.limits import file_digest
from bot.knowledge.text import stop_words

log = logging.getLogger(__name__)

#: Bump when chunking, tokenising or indexing changes, so old caches are not reused.
ENGINE_VERSION = "4"
#: Older cache entries beyond this many are deleted (one per policies folder in use).
KEEP_ENTRIES = 6


#: The modules whose code decides what is indexed: a change to any of them rebuilds the
#: cache even if ENGINE_VERSION was not bumped.
_INDEXING_MODULES = ("loaders.py", "furniture.py", "chunking.py", "text.py", "index.py",
                     "fields.py", "limits.py", "faq.py", "scope.py")


def content_key(policy_files: Iterable[Path], root: Path, knowledge_files: Iterable[Path]) -> str:
    """A hex digest that changes whenever any file's name or content, or the engine, changes."""
    digest = hashlib.sha256(f"probity-index:{ENGINE_VERSION}\n".encode())
    here = Path(__file__).resolve().parent
    for module in _INDEXING_MODULES:
        digest.update(hashlib.sha256((here / module).read_bytes()).digest())
    # The search words (stop words, limit phrases) decide the terms as much as the code.
    digest.update("\n".join(sorted(stop_words())).encode())
    digest.update(repr(sorted(heading_limit_phrases().items())).encode())
    for label, files in (("policy", policy_files), ("knowledge", knowledge_files)):
        for path in files:
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
            digest.update(f"{label}:{name}\n".encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


class SkipList:
    """Policy files that could not be read, by content hash, kept beside the index cache.

    When another file changes and the index is rebuilt, a file already found to be a zip
    bomb, an encrypted PDF or simply damaged is not parsed again: it is skipped with the
    reason found the first time, until its bytes change. Without a cache it remembers
    nothing.
    """

    FILE = "skipped.json"

    def __init__(self, cache_dir: Path | None) -> None:
        self.path = cache_dir / self.FILE if cache_dir is not None else None
        self.reasons: dict[str, str] = {}
        if self.path is not None and self.path.is_file():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                self.reasons = {str(k): str(v) for k, v in loaded.items()}
            except (OSError, ValueError, AttributeError) as error:
                log.warning("Ignoring the unreadable list of skipped policy files (%s)", error)

    def reason(self, digest: str) -> str | None:
        return self.reasons.get(digest)

    def remember(self, digest: str, reason: str) -> None:
        self.reasons[digest] = reason
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(self.reasons), encoding="utf-8")
            partial.replace(self.path)
        except OSError as error:
            log.warning("Could not remember a skipped policy file under %s (%s)",
                        self.path.parent, error)


def load_or_build(cache_dir: Path | None, key: str,
                  build: Callable[[], tuple[PolicyIndex, list[str]]]
                  ) -> tuple[PolicyIndex, list[str], bool]:
    """The cached (index, problems) for `key`, else build() and cache it.

    Returns a third value saying whether the cache was used. A damaged or unwritable cache
    is logged and bypassed: answering matters more than caching.
    """
    if cache_dir is not None:
        stem = cache_dir / f"index-{key[:24]}"
        meta_path = stem.with_suffix(".meta.json")
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                if meta.get("key") == key:
                    index = PolicyIndex.load(stem)
                    os.utime(meta_path)  # marks it recently used for pruning
                    return index, list(meta.get("problems", [])), True
            except (OSError, ValueError, KeyError) as error:
                log.warning("Rebuilding the search index: the cached copy is unreadable (%s)",
                            error)
    index, problems = build()
    if cache_dir is not None:
        try:
            _save(cache_dir, key, index, problems)
        except OSError as error:
            log.warning("Could not cache the search index under %s (%s)", cache_dir, error)
    return index, problems, False


def _save(cache_dir: Path, key: str, index: PolicyIndex, problems: list[str]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = cache_dir / f"index-{key[:24]}"
    # Written last, so a half-written cache (crash mid-save) has no meta and is rebuilt.
    index.save(stem)
    meta = stem.with_suffix(".meta.json")
    partial = meta.with_suffix(".tmp")
    partial.write_text(json.dumps({"key": key, "engine": ENGINE_VERSION, "problems": problems}),
                       encoding="utf-8")
    partial.replace(meta)
    _prune(cache_dir)


def _prune(cache_dir: Path) -> None:
    metas = sorted(cache_dir.glob("index-*.meta.json"), key=lambda p: p.stat().st_mtime,
                   reverse=True)
    for old in metas[KEEP_ENTRIES:]:
        stem = cache_dir / old.name.removesuffix(".meta.json")
        old.unlink(missing_ok=True)
        for path in PolicyIndex.files(stem):
            path.unlink(missing_ok=True)
