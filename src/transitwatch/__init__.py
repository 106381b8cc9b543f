"""TransitWatch: find and stop sanctions evasion through third-country transit trade."""

__version__ = "0.1.0"
