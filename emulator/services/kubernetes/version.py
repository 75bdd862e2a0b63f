"""The Kubernetes version the emulator reports (`--kubernetes-version`): /version and what depends on the minor."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import __version__
from emulator.settings import kubernetes_version


@dataclass(frozen=True)
class KubeVersion:
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> KubeVersion:
        """`1.36`, `1.36.2` or `v1.36.2`; ValueError otherwise."""
        return cls(*kubernetes_version(text))

    @property
    def git_version(self) -> str:
        return f"v1.{self.minor}.{self.patch}"

    def at_least(self, minor: int) -> bool:
        return self.minor >= minor

    def document(self) -> dict[str, Any]:
        """GET /version, with the emulation and compatibility keys servers report from 1.33."""
        body: dict[str, Any] = {"major": "1", "minor": str(self.minor)}
        if self.at_least(33):
            body |= {"emulationMajor": "1", "emulationMinor": str(self.minor),
                     "minCompatibilityMajor": "1", "minCompatibilityMinor": str(self.minor - 1)}
        return body | {
            "gitVersion": self.git_version, "gitCommit": f"cloud-job-emulator-{__version__}", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.6", "compiler": "gc", "platform": "linux/amd64"}
