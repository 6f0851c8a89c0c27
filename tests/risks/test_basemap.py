"""The offline base map (docs/map.md): the demo's generated PMTiles extract, the file served
with range requests, and the map page with and without it."""

import gzip
import re
import shutil

import mapbox_vector_tile
import pytest
from django.urls import reverse
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

from worksafe.core.ranged import MAX_RANGE, parse_range
from worksafe.risks import basemap


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    return basemap.generate_demo(tmp_path_factory.mktemp("basemap") / "demo.pmtiles", max_zoom=9)


@pytest.fixture
def installed(settings, demo_file, tmp_path):
    path = tmp_path / "county.pmtiles"
    shutil.copy(demo_file, path)
    settings.WORKSAFE_BASEMAP_FILE = str(path)
    return path


# ---------------------------------------------------------------- the demo extract


def test_demo_file_is_vector_pmtiles_with_the_layers_and_township_names(demo_file):
    with open(demo_file, "rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        assert header["tile_type"] == TileType.MVT
        assert header["tile_compression"] == Compression.GZIP
        assert (header["min_zoom"], header["max_zoom"]) == (6, 9)
        assert 98 < header["min_lon_e7"] / 1e7 < header["max_lon_e7"] / 1e7 < 102
        assert 33 < header["min_lat_e7"] / 1e7 < header["max_lat_e7"] / 1e7 < 36
        assert reader.metadata()["name"] == "玛沁县演示底图"
        layers, names = set(), set()
        for _zxy, data in all_tiles(MmapSource(f)):
            tile = mapbox_vector_tile.decode(gzip.decompress(data))
            layers |= set(tile)
            names |= {ft["properties"]["name"] for ft in tile.get("places", {}).get("features", [])}
    assert layers == set(basemap.LAYERS)
    assert {"大武镇", "拉加镇"} <= names
    assert "玛沁县" in names


def test_demo_generation_is_deterministic(demo_file, tmp_path):
    again = basemap.generate_demo(tmp_path / "again.pmtiles", max_zoom=9)
    assert again.read_bytes() == demo_file.read_bytes()


def test_demo_needs_seat_coordinates(tmp_path):
    with pytest.raises(ValueError, match="经纬度"):
        basemap.generate_demo(tmp_path / "x.pmtiles", divisions=[{"code": "1", "name": "县", "level": 3}])


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=90-", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-1000", 100, (0, 99)),
        ("bytes=50-5000", 100, (50, 99)),
        ("bytes=100-", 100, None),
        ("bytes=9-3", 100, None),
        ("bytes=-0", 100, None),
        ("bytes=-", 100, None),
        ("bytes=0-1,5-6", 100, None),
        ("items=0-1", 100, None),
        ("bytes=abc", 100, None),
        ("bytes=" + "9" * 40 + "-", 100, None),
        ("bytes=0-", 0, None),
        ("bytes=0-" + str(10**17), 10**9, (0, MAX_RANGE - 1)),
    ],
)
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


def test_file_served_whole_and_in_ranges(installed, world, client_for):
    body = installed.read_bytes()
    c = client_for(world.users["county"])
    url = reverse("risks:basemap")
    full = c.get(url)
    assert full.status_code == 200 and b"".join(full.streaming_content) == body
    assert full["Accept-Ranges"] == "bytes" and full["ETag"] and full["Last-Modified"]
    part = c.get(url, headers={"Range": "bytes=0-126"})
    assert part.status_code == 206 and part.content == body[:127] and part.content[:7] == b"PMTiles"
    assert part["Content-Range"] == f"bytes 0-126/{len(body)}" and part["Content-Length"] == "127"
    tail = c.get(url, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == body[-16:]
    bad = c.get(url, headers={"Range": f"bytes={len(body)}-"})
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(body)}"
    assert c.get(url, headers={"Range": "bytes=\udcff-"}).status_code in (200, 416)
    head = c.head(url, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.content == b"" and head["Content-Length"] == "10"
    head = c.head(url)
    assert head.status_code == 200 and head["Content-Length"] == str(len(body))
    assert c.get(url, headers={"If-None-Match": full["ETag"]}).status_code == 304
    # a stale If-Range: the whole file
    assert c.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'}).status_code == 200
    assert c.post(url).status_code == 405


def test_file_refused_to_anonymous_and_missing_is_404(installed, world, client_for, settings, tmp_path):
    url = reverse("risks:basemap")
    resp = client_for(None).get(url, headers={"Range": "bytes=0-9"})
    assert resp.status_code == 302 and "login" in resp["Location"]
    settings.WORKSAFE_BASEMAP_FILE = str(tmp_path / "none.pmtiles")
    assert client_for(world.users["county"]).get(url).status_code == 404


def test_every_role_reads_the_same_county_file_and_nothing_else(installed, world, client_for):
    # no path in the URL: only the configured file can be read
    for user in world.users.values():
        assert (
            client_for(user).get(reverse("risks:basemap"), headers={"Range": "bytes=0-6"}).content
            == b"PMTiles"
        )
    assert (
        client_for(world.users["county"]).get(reverse("risks:basemap") + "/../../settings.py").status_code
        == 404
    )


# ---------------------------------------------------------------- the page


def test_map_page_draws_the_base_map_when_installed(installed, world, client_for):
    html = client_for(world.users["county"]).get(reverse("risks:map")).content.decode()
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in html
    assert reverse("risks:basemap") in html
    assert "未安装离线底图" not in html
    assert "WORKSAFE_" not in html


def test_map_page_says_when_no_base_map_is_installed(settings, world, client_for, tmp_path):
    settings.WORKSAFE_BASEMAP_FILE = str(tmp_path / "none.pmtiles")
    settings.WORKSAFE_MAP_TILE_URL = ""
    html = client_for(world.users["county"]).get(reverse("risks:map")).content.decode()
    assert "未安装离线底图" in html
    assert "protomaps-leaflet" not in html
    assert "WORKSAFE_" not in html


def test_default_path_falls_back_to_the_demo_file(settings, tmp_path, demo_file):
    settings.WORKSAFE_BASEMAP_FILE = ""
    settings.VAR_DIR = tmp_path
    assert basemap.basemap_path() == tmp_path / "basemap" / "county.pmtiles"
    (tmp_path / "basemap").mkdir()
    shutil.copy(demo_file, tmp_path / "basemap" / "demo.pmtiles")
    assert basemap.basemap_path() == tmp_path / "basemap" / "demo.pmtiles"
    shutil.copy(demo_file, tmp_path / "basemap" / "county.pmtiles")
    assert basemap.basemap_path() == tmp_path / "basemap" / "county.pmtiles"


@pytest.mark.parametrize("name", ["risks:map", "risks:table", "home"])
def test_no_setting_names_in_pages(installed, world, client_for, name):
    for role in ("county", "township"):
        if role not in world.users:
            continue
        resp = client_for(world.users[role]).get(reverse(name))
        if resp.status_code == 200:
            assert not re.search(r"WORKSAFE_[A-Z]", resp.content.decode())


def test_online_tiles_are_drawn_above_the_offline_map(installed, world, client_for, settings):
    import json

    settings.WORKSAFE_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = client_for(world.users["county"]).get(reverse("risks:map")).content.decode()
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["basemap_url"] == reverse("risks:basemap")
    assert config["tile_url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert "未安装离线底图" not in html and "WORKSAFE_" not in html
