"""STIX 2.1 / TAXII 2.1 (and later MISP) adapters over sharing's public API.

Correlation (hit / no-hit) and access requests live in sharing: they decide who may learn
what about an indicator, which is sharing's visibility rule; interop only translates formats.
"""
