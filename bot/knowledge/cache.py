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

from bot.knowledge.index import SearchIndex

log = logging.getLogger(__name__)

#: Bump when chunking, tokenising or indexing changes, so old caches are not reused.
ENGINE_VERSION = "3"
#: Older cache entries beyond this many are deleted (one per policies folder in use).
KEEP_ENTRIES = 6


def content_key(policy_files: Iterable[Path], root: Path, knowledge_files: Iterable[Path]) -> str:
    """A hex digest that changes whenever any file's name or content, or the engine, changes."""
    digest = hashlib.sha256(f"probity-index:{ENGINE_VERSION}\n".encode())
    for label, files in (("policy", policy_files), ("knowledge", knowledge_files)):
        for path in files:
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
            digest.update(f"{label}:{name}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_or_build(cache_dir: Path | None, key: str,
                  build: Callable[[], tuple[SearchIndex, list[str]]]
                  ) -> tuple[SearchIndex, list[str], bool]:
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
                    index = SearchIndex.load(stem)
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


def _save(cache_dir: Path, key: str, index: SearchIndex, problems: list[str]) -> None:
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
        stem = old.name.removesuffix(".meta.json")
        for suffix in (".meta.json", ".npz", ".json"):
            (cache_dir / f"{stem}{suffix}").unlink(missing_ok=True)
