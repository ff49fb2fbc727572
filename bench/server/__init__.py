"""The server under load (bench/README.md)."""
