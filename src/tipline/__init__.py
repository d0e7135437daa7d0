"""tipline: an open-source sextortion response platform."""

__version__ = "0.1.0"
