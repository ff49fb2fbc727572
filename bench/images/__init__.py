"""The finished images (bench/README.md)."""
