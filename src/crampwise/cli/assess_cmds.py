"""Commands registered on crampwise.cli.app (filled in by its owner)."""
