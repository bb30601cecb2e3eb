"""Fangcun (方寸): a privacy-compliance scanner for facial recognition and personal data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fangcun")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
