"""Cooperation agreements: drafting, approval, signing, the signing ledger and verification."""
