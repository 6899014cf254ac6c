"""The version, in a leaf module: format writers stamp it into headers without importing the package face."""

__version__ = "0.1.0"
