"""Documents that passed their checks, kept on disk until their interchange is final.

On SQLite one writer holds the whole database: an interchange written batch by batch as it is read
would hold the write lock for as long as the reading takes (23 s for 14,000 messages), and every
upload meanwhile would wait. So on SQLite the reading writes nothing: each batch that passes is
pickled to a temporary file, and the interchange's documents are written together at its end, in
the one transaction that also records its outcome (accepted or rejected whole, as before)."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

from hub.domain.records import DocumentRecord

Flags = Mapping[int, dict[str, Any]]


class Spill:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="ponte-spill-")  # noqa: SIM115
        self.count = 0

    def add(self, records: list[DocumentRecord], flags: Flags | None) -> None:
        pickle.dump(([r.values() for r in records], dict(flags or {})), self._file,
                    protocol=pickle.HIGHEST_PROTOCOL)
        self.count += len(records)

    def batches(self) -> Iterator[tuple[list[DocumentRecord], Flags]]:
        """The batches in the order they were added, each rebuilt from its values."""
        self._file.flush()
        self._file.seek(0)
        while True:
            try:
                values, flags = pickle.load(self._file)  # our own file, written above
            except EOFError:
                return
            yield [DocumentRecord(*v) for v in values], flags

    def close(self) -> None:
        self._file.close()
