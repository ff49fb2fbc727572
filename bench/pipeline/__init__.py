"""The pipeline's own figures (bench/README.md)."""
