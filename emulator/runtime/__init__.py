"""The emulator's life: its state object, fixture files, the state file, the request journal and fault rules."""
