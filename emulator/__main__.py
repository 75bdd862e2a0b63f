"""`python -m emulator`: the same as the `cloud-job-emulator` command."""
from emulator.cli import main

raise SystemExit(main())
