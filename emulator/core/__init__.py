"""What every service shares and no service owns: store, clock, ids, errors."""
