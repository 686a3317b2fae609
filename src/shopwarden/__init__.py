"""shopwarden: policy-guarded AI agents for TikTok commerce."""

__version__ = "0.1.0"
__all__ = ["__version__"]
