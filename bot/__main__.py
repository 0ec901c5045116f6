"""`python -m bot` is the same as the `community-bot` command."""

from bot.cli import main

raise SystemExit(main())
