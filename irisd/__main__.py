"""`python -m irisd` runs the CLI."""

from irisd.cli import main

main()
