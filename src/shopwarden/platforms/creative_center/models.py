"""What the creative reader returns. Every free-text field is `UntrustedText`; ids are checked
to be plain identifiers and numbers are numbers, so nothing else can carry a stranger's words."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from shopwarden.platforms.creative_center.untrusted import UntrustedText, untrusted

TrendKind = Literal["hashtags", "keywords", "top_ads"]
AD_LIBRARY = "ad_library"
TRENDS = "creative_center"


def _id_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _yyyymmdd(value: Any) -> Any:
    if isinstance(value, int | str) and not isinstance(value, bool) and len(str(value)) == 8:
        return datetime.strptime(str(value), "%Y%m%d").date()
    return value


PublicId = Annotated[str, BeforeValidator(_id_text), StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
LibraryText = Annotated[UntrustedText, untrusted(AD_LIBRARY)]
TrendText = Annotated[UntrustedText, untrusted(TRENDS)]
LibraryDate = Annotated[date, BeforeValidator(_yyyymmdd)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)


class LibraryVideo(_Model):
    url: LibraryText | None = None
    cover_image_url: LibraryText | None = None


class LibraryAdvertiser(_Model):
    business_id: PublicId | None = None
    business_name: LibraryText | None = None
    paid_by: LibraryText | None = None


class LibraryAd(_Model):
    """One ad from TikTok's Commercial Content API ad library."""

    id: PublicId
    text: LibraryText | None = None  # served by some sources (and the simulator); not in every response
    status: LibraryText | None = None
    first_shown_date: LibraryDate | None = None
    last_shown_date: LibraryDate | None = None
    videos: list[LibraryVideo] = Field(default_factory=list)
    image_urls: list[LibraryText] = Field(default_factory=list)
    reach: dict[str, LibraryText] = Field(default_factory=dict)
    advertiser: LibraryAdvertiser | None = None


class AdLibraryResult(_Model):
    """Ads matching a search, or why the source could not be read."""

    available: bool
    reason: str | None = None
    search_term: LibraryText
    country: str
    ads: list[LibraryAd] = Field(default_factory=list)


class TrendingHashtag(_Model):
    hashtag_name: TrendText
    rank: int
    publish_cnt: int | None = None
    video_views: int | None = None


class TrendingKeyword(_Model):
    keyword: TrendText
    rank: int
    post_cnt: int | None = None
    ctr: Decimal | None = None
    cvr: Decimal | None = None


class TopAdVideo(_Model):
    duration: Decimal | None = None
    cover: TrendText | None = None


class TopAd(_Model):
    id: PublicId
    ad_title: TrendText | None = None
    brand_name: TrendText | None = None
    industry_key: TrendText | None = None
    ctr: Decimal | None = None
    like: int | None = None
    video_info: TopAdVideo | None = None


class TrendsResult(_Model):
    """Trend items, or why Creative Center would not give them (unavailable is an answer, not a failure)."""

    kind: TrendKind
    country: str
    available: bool = True
    reason: str | None = None
    items: list[TrendingHashtag] | list[TrendingKeyword] | list[TopAd]


class SourceStatus(_Model):
    name: str
    available: bool
    reason: str | None = None
