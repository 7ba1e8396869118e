"""Errors a user can cause while loading, indexing and searching documents."""

from __future__ import annotations

from pathlib import Path

from tools.common.errors import PlantError


class DocumentLoadError(PlantError):
    """A file could not be read as a document; ingest skips it and goes on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexNotFoundError(PlantError):
    """No index has been built yet at the configured location."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"No search index at {index_dir}. Build it first with `plant ingest` (or `make run`)."
        )


class IndexCorruptError(PlantError):
    """The index on disk cannot be read."""

    def __init__(self, index_dir: Path, reason: str) -> None:
        super().__init__(
            f"The search index at {index_dir} cannot be read ({reason}). "
            "Rebuild it with `plant ingest --rebuild`."
        )


class InvalidQueryError(PlantError):
    """The query or its options cannot be searched."""


class ManifestError(PlantError):
    """A folder's `manifest.json` cannot be used; the run stops so that no file loses the
    metadata (titles, audiences) the manifest gives it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path}: {reason}. Fix it and ingest again; the index was left as it was."
        )


class NoDocumentsError(PlantError):
    """A path given to ingest holds nothing that could be ingested."""


class IndexBusyError(PlantError):
    """Another ingest holds the index; the message says who and since when."""
