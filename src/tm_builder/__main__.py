"""``python -m tm_builder`` runs the command line."""

from .cli import main

main()
