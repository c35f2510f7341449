"""Site maps drawn from the data itself: positions on a Web Mercator plane, a scale bar, distances.

Nothing is fetched: the desk draws an SVG of the site (with its radius), the visits and the
photos by their GPS. The map is framed on the site and what is near it; a photo far from the
site is drawn in red where it lies, or, when that is off the map, at the map's edge in its
direction, with its distance. When settings.DESK_MAP_TILE_URL names a tile server, its tiles
are laid underneath at a whole zoom.
"""
import math
from dataclasses import dataclass, field

from django.conf import settings

from surveys.imaging.flags import haversine_m
from surveys.web.formatting import distance_text

WIDTH, HEIGHT, PADDING = 640, 360, 36
TILE = 256
EARTH_CIRCUMFERENCE_M = 40_075_016.686  # the equator; at zoom 0 it spans the 256-pixel world
MIN_SPAN_M = 400  # a lone point is shown with this much around it
MAX_ZOOM = 19


@dataclass
class MapPoint:
    kind: str  # "site" | "visit" | "photo" | "nearby"
    latitude: float
    longitude: float
    label: str
    href: str | None = None
    far: bool = False
    distance_m: float | None = None
    x: float = 0.0
    y: float = 0.0
    off_map: bool = False  # drawn at the edge, pointing towards where it is
    bearing: float = 0.0  # degrees, clockwise from east (the SVG's rotation)

    @property
    def distance_text(self) -> str:
        return distance_text(self.distance_m) if self.distance_m is not None else ""

    @property
    def label_anchor(self) -> str:  # labels near the right edge run leftwards
        return "end" if self.x > WIDTH * 0.6 else "start"

    @property
    def label_dx(self) -> int:
        return -10 if self.label_anchor == "end" else 10

    @property
    def label_dy(self) -> int:  # labels near the top edge go below the mark
        return 16 if self.y < 24 else -8


@dataclass
class Tile:
    url: str
    x: float
    y: float


@dataclass
class SiteMap:
    width: int
    height: int
    site: MapPoint | None
    radius_px: float
    points: list[MapPoint]
    scale_px: float
    scale_label: str
    unplaced: int  # visits and photos with no position
    tiles: list[Tile] = field(default_factory=list)
    attribution: str = ""

    @property
    def far_points(self) -> list[MapPoint]:
        return [point for point in self.points if point.far]

    @property
    def nearby(self) -> list[MapPoint]:
        return [point for point in self.points if point.kind == "nearby"]

    @property
    def scale_y(self) -> int:  # the scale bar's baseline
        return self.height - 14

    @property
    def label_x(self) -> int:  # right-aligned labels
        return self.width - 8


def _world(latitude: float, longitude: float) -> tuple[float, float]:
    """Web Mercator position at zoom 0, in pixels of a 256-pixel world."""
    latitude = max(min(latitude, 85.0511), -85.0511)
    phi = math.radians(latitude)
    x = TILE * (longitude + 180) / 360
    y = TILE * (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2
    return x, y


def _metres_per_world_px(latitude: float) -> float:
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(latitude)) / TILE


def _round_length(metres: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres not above `metres`."""
    power = 10 ** math.floor(math.log10(metres))
    return max(step * power for step in (1, 2, 5) if step * power <= metres)


def site_map(*, site_latitude, site_longitude, radius_m: float, points: list[MapPoint],
             unplaced: int = 0) -> SiteMap | None:
    """Lay out the site and `points` (those with a position) to fit WIDTH x HEIGHT; None with nothing to show."""
    placed = [point for point in points if point.latitude is not None and point.longitude is not None]
    site = None
    if site_latitude is not None and site_longitude is not None:
        site = MapPoint(kind="site", latitude=site_latitude, longitude=site_longitude, label="")
        for point in placed:
            if point.distance_m is None:
                point.distance_m = haversine_m(site_latitude, site_longitude, point.latitude, point.longitude)
    everything = ([site] if site else []) + placed
    if not everything:
        return None
    # Frame the site, its visits and its photos; far photos and other sites must not shrink it to a dot.
    framed = ([site] + [point for point in placed if not point.far and point.kind != "nearby"]) if site else everything
    reference_latitude = (site or everything[0]).latitude
    per_px = _metres_per_world_px(reference_latitude)
    positions = [_world(point.latitude, point.longitude) for point in framed]
    margin = (radius_m if site else 0) / per_px
    left = min(x for x, _ in positions) - margin
    right = max(x for x, _ in positions) + margin
    top = min(y for _, y in positions) - margin
    bottom = max(y for _, y in positions) + margin
    minimum = MIN_SPAN_M / per_px
    span_x, span_y = max(right - left, minimum), max(bottom - top, minimum)
    scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y, 2 ** MAX_ZOOM)
    tile_url = settings.DESK_MAP_TILE_URL
    if tile_url:
        scale = 2 ** max(0, min(MAX_ZOOM, math.floor(math.log2(scale))))
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    for point in everything:
        x, y = _world(point.latitude, point.longitude)
        point.x = round((x - centre_x) * scale + WIDTH / 2, 1)
        point.y = round((y - centre_y) * scale + HEIGHT / 2, 1)
    if site:
        for point in placed:
            _to_edge(point, site)
        placed = [point for point in placed if not (point.off_map and point.kind == "nearby")]
    metres_per_px = per_px / scale
    bar_metres = _round_length(metres_per_px * WIDTH / 5)
    return SiteMap(
        width=WIDTH, height=HEIGHT, site=site, radius_px=round(radius_m / metres_per_px, 1) if site else 0,
        points=sorted(placed, key=lambda point: point.far),  # far ones drawn last, on top
        scale_px=round(bar_metres / metres_per_px, 1), scale_label=distance_text(bar_metres), unplaced=unplaced,
        tiles=_tiles(tile_url, scale, centre_x, centre_y) if tile_url else [],
        attribution=settings.DESK_MAP_TILE_ATTRIBUTION if tile_url else "",
    )


def _to_edge(point: MapPoint, site: MapPoint) -> None:
    """Move a point that falls off the map onto its edge, on the line from the site towards it."""
    dx, dy = point.x - site.x, point.y - site.y
    inset = PADDING / 2
    limits = []
    if dx:
        limits.append(((WIDTH - inset if dx > 0 else inset) - site.x) / dx)
    if dy:
        limits.append(((HEIGHT - inset if dy > 0 else inset) - site.y) / dy)
    fraction = min(limits) if limits else 1
    point.bearing = round(math.degrees(math.atan2(dy, dx)), 1)
    if fraction < 1:
        point.off_map = True
        point.x, point.y = round(site.x + dx * fraction, 1), round(site.y + dy * fraction, 1)


def _tiles(url: str, scale: float, centre_x: float, centre_y: float) -> list[Tile]:
    zoom = round(math.log2(scale))
    origin_x, origin_y = centre_x * scale - WIDTH / 2, centre_y * scale - HEIGHT / 2
    last = 2 ** zoom - 1
    tiles = []
    for ty in range(max(0, math.floor(origin_y / TILE)), min(last, math.floor((origin_y + HEIGHT) / TILE)) + 1):
        for tx in range(math.floor(origin_x / TILE), math.floor((origin_x + WIDTH) / TILE) + 1):
            tiles.append(Tile(url=url.format(z=zoom, x=tx % (last + 1), y=ty),
                              x=round(tx * TILE - origin_x, 1), y=round(ty * TILE - origin_y, 1)))
    return tiles
