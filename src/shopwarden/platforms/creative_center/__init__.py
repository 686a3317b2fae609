"""Public creative sources for the Creative agent: the official ad library and Creative Center trends.

Everything read here is written by strangers and comes back as `UntrustedText`: data for the
agent, never instructions, and never a reason to fetch anything else (hosts are allowlisted).
"""

from shopwarden.platforms.creative_center._http import ALLOWED_HOSTS, HostNotAllowed, check_url
from shopwarden.platforms.creative_center.models import (
    AdLibraryResult,
    LibraryAd,
    SourceStatus,
    TopAd,
    TrendingHashtag,
    TrendingKeyword,
    TrendsResult,
)
from shopwarden.platforms.creative_center.reader import CreativeReader
from shopwarden.platforms.creative_center.untrusted import UntrustedText

__all__ = [
    "ALLOWED_HOSTS",
    "AdLibraryResult",
    "CreativeReader",
    "HostNotAllowed",
    "LibraryAd",
    "SourceStatus",
    "TopAd",
    "TrendingHashtag",
    "TrendingKeyword",
    "TrendsResult",
    "UntrustedText",
    "check_url",
]
