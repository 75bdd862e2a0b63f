"""cloud-job-emulator: an in-memory server that answers like three clouds' job APIs."""

__version__ = "0.1.0"
