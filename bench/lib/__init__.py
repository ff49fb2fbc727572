"""What the benches share, and the tests reuse (bench/README.md)."""
