"""The options of a write request (dryRun, fieldValidation) and the warnings the write collects."""
from __future__ import annotations

from dataclasses import dataclass, field

from emulator.services.kubernetes import errors


@dataclass
class WriteOptions:
    dry_run: bool = False
    field_validation: str = "Warn"  # Ignore, Warn or Strict
    manager: str = "unknown"  # the field manager a write is recorded for (`?fieldManager=`, else the User-Agent)
    warnings: list[str] = field(default_factory=list)

    def unknown_fields(self, unknown: list[str], strict_error) -> None:
        if not unknown or self.field_validation == "Ignore":
            return
        texts = [f'unknown field "{path}"' for path in unknown]
        if self.field_validation == "Strict":
            raise strict_error("strict decoding error: " + ", ".join(texts))
        self.warnings.extend(texts)


def cannot_handle(kind: str):
    """The 400 for a body that does not decode into `kind`, given the decoder's reason."""
    return lambda reason: errors.bad_request(f'{kind} in version "v1" cannot be handled as a {kind}: {reason}')
