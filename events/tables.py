"""Places where fairs are held."""

from enum import StrEnum

from piccolo.columns import Boolean, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tables import Ward


class Setting(StrEnum):
    """The three settings of the campaign: residential areas, markets, schools."""

    RESIDENTIAL = "residential"
    MARKET = "market"
    SCHOOL = "school"


SETTING_LABELS = {
    Setting.RESIDENTIAL: ("Địa bàn dân cư", "Residential area"),
    Setting.MARKET: ("Chợ", "Market"),
    Setting.SCHOOL: ("Trường học", "School"),
}


class Site(Table):
    name = Varchar(length=200)
    slug = Varchar(length=100, unique=True)
    address = Varchar(length=300)
    ward = ForeignKey(Ward, null=False, on_delete=OnDelete.restrict)
    setting = Varchar(length=20, choices=Setting)
    lat = Float()
    lon = Float()
    capacity = Integer(default=0, help_text="How many stalls the site holds.")
    description = Text(default="")
    active = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())
