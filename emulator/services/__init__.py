"""The emulated services, one package each with the same rooms; `protocol` is their contract with the runtime."""
