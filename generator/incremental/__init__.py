"""What makes a build incremental and its publishing safe: worker processes, the atomic staging output, the
build cache, page fingerprints, the up-to-date stamp, and when file metadata may be trusted.

Imports: the core modules only. Every rule these modules keep is listed in ARCHITECTURE.md with its test.
"""
