"""The services one emulator hosts, in the order their routes are added."""
from __future__ import annotations

from emulator.services.cos_batch.service import CosBatchService
from emulator.services.kubernetes.service import KubernetesService
from emulator.services.mrs.service import MrsService
from emulator.services.protocol import Core, Service

SERVICE_TYPES = (KubernetesService, MrsService, CosBatchService)
NAMES = tuple(service.name for service in SERVICE_TYPES)


def create_services(core: Core) -> list[Service]:
    return [service(core) for service in SERVICE_TYPES]
