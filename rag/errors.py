"""Every error `rag` raises on purpose. The CLI turns these into one line and an exit code."""

from __future__ import annotations


class RagError(Exception):
    """Base class: a problem the user can fix; the message says how."""

    exit_code = 1


class ConfigError(RagError):
    """A setting has a value we cannot use (unknown model, bad number)."""

    exit_code = 2


class InputError(RagError):
    """The question or a file given to us is unusable (empty, too long, missing)."""

    exit_code = 2


class CorpusError(RagError):
    """The corpus folder is missing or holds nothing we can read."""


class IndexMissingError(RagError):
    """No index has been built at the given place yet."""


class IndexCorruptError(RagError):
    """The index on disk is unreadable, partial or from an incompatible version or model."""


class ModelError(RagError):
    """A model file is missing, incomplete or fails its checksum, or a runtime is absent."""


class IndexMismatchError(RagError):
    """The index was built with a different embedding model than the one in use."""


class IndexBusyError(RagError):
    """Another process holds the index's writer lock (`rag index --no-wait`)."""


class IndexWriteError(RagError):
    """The index could not be written (disk full, no permission); the previous one is unchanged."""
