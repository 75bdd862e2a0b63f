"""The admin surface under /_emulator/: the same for every service, JSON in and out."""
