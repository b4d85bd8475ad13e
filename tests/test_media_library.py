import json
import os

import pytest

import render.media.library as library_module
from render.media.library import MediaLibrary
from render.media.tags import fold, overlap_score, query_words, words
from tests.test_media_fixtures import write_clip, write_image


@pytest.fixture
def probes(monkeypatch):
    """Every path the library probes, in order."""
    seen = []
    real = library_module.probe_file

    def counting(path):
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(library_module, "probe_file", counting)
    return seen


def make_library(root):
    write_image(root / "nature" / "mountains" / "snowyPeak.jpg", (96, 64))
    (root / "nature" / "mountains" / "snowyPeak.txt").write_text("alps, winter\nglacier\n")
    write_image(root / "city" / "NYC_skyline-night.png", (96, 64))
    write_image(root / "portraits" / "tall-redwood_trees.webp", (40, 80))
    write_clip(root / "clips" / "oceanWaves.mp4", (64, 48), seconds=1.2)
    (root / "clips" / "oceanWaves.json").write_text(
        json.dumps({"tags": ["surf"], "attribution": "Jane Doe", "license": "CC BY 4.0"})
    )
    (root / "README.txt").write_text("not media")
    (root / ".hidden.jpg").write_bytes(b"ignored")
    return root


def test_words_split_names_and_drop_noise():
    assert words("sunsetBeachHD_2021-final copy") == ["sunset", "beach"]
    assert words("NYC_skyline-night") == ["nyc", "skyline", "night"]
    assert words("HTTPServerLogs") == ["http", "server", "logs"]
    assert words("IMG_4032") == []
    assert query_words(["the ocean waves", "Ocean at dusk"]) == ("ocean", "waves", "dusk")


def test_plural_folding():
    pairs = {"cities": "city", "boxes": "box", "waves": "wave", "beaches": "beach"}
    for plural, singular in pairs.items():
        assert fold(plural) == singular
    for same in ("glass", "bus", "analysis", "sea"):
        assert fold(same) == same


def test_scores_weigh_exact_over_folded_over_partial():
    exact = overlap_score(["waves"], ["waves"])
    folded = overlap_score(["waves"], ["wave"])
    partial = overlap_score(["waves"], ["microwaves"])
    assert exact > folded > partial > 0
    assert overlap_score(["waves"], ["mountain"]) == 0
    assert overlap_score(["art"], ["party"]) == 0  # too short to count as part of a word


def test_index_covers_nested_folders_sidecars_and_clips(tmp_path):
    library = MediaLibrary(make_library(tmp_path / "lib"), tmp_path / "cache")

    report = library.refresh()

    items = {item.relpath: item for item in library.items()}
    assert sorted(items) == [
        "city/NYC_skyline-night.png",
        "clips/oceanWaves.mp4",
        "nature/mountains/snowyPeak.jpg",
        "portraits/tall-redwood_trees.webp",
    ]
    assert report.items == 4 and len(report.probed) == 4 and report.skipped == ()

    peak = items["nature/mountains/snowyPeak.jpg"]
    assert (peak.kind, peak.width, peak.height, peak.orientation) == ("image", 96, 64, "landscape")
    assert {"nature", "mountains", "snowy", "peak", "alps", "winter", "glacier"} <= set(peak.tags)

    waves = items["clips/oceanWaves.mp4"]
    assert waves.kind == "video" and waves.duration == pytest.approx(1.2, abs=0.15)
    assert {"ocean", "waves", "surf"} <= set(waves.tags)
    assert "clips" not in waves.tags  # a stop-word: says nothing about the content
    assert (waves.attribution, waves.license) == ("Jane Doe", "CC BY 4.0")

    assert items["portraits/tall-redwood_trees.webp"].orientation == "portrait"
    assert {"nyc", "skyline", "night", "city"} <= set(items["city/NYC_skyline-night.png"].tags)
    assert library.index_path.is_file() and library.index_path.parent == tmp_path / "cache"


def test_refresh_probes_only_new_and_changed_files(tmp_path, probes):
    root = make_library(tmp_path / "lib")
    MediaLibrary(root, tmp_path / "cache").refresh()
    assert len(probes) == 4

    probes.clear()
    again = MediaLibrary(root, tmp_path / "cache").refresh()  # a new process: index from disk
    assert probes == [] and again.probed == () and again.items == 4

    peak = root / "nature" / "mountains" / "snowyPeak.jpg"
    stat = peak.stat()
    os.utime(peak, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    write_image(root / "city" / "newOne.jpg")
    report = MediaLibrary(root, tmp_path / "cache").refresh()
    assert sorted(probes) == ["newOne.jpg", "snowyPeak.jpg"]
    assert sorted(report.probed) == ["city/newOne.jpg", "nature/mountains/snowyPeak.jpg"]


def test_sidecar_edits_update_tags_without_a_probe(tmp_path, probes):
    root = make_library(tmp_path / "lib")
    MediaLibrary(root, tmp_path / "cache").refresh()
    probes.clear()

    (root / "nature" / "mountains" / "snowyPeak.txt").write_text("matterhorn, summit, extra words")
    library = MediaLibrary(root, tmp_path / "cache")
    library.refresh()

    peak = next(item for item in library.items() if item.relpath.endswith("snowyPeak.jpg"))
    assert {"matterhorn", "summit"} <= set(peak.tags) and "alps" not in peak.tags
    assert probes == []


def test_removed_files_drop_out(tmp_path):
    root = make_library(tmp_path / "lib")
    MediaLibrary(root, tmp_path / "cache").refresh()

    (root / "city" / "NYC_skyline-night.png").unlink()
    library = MediaLibrary(root, tmp_path / "cache")
    report = library.refresh()

    assert report.removed == ("city/NYC_skyline-night.png",)
    assert "city/NYC_skyline-night.png" not in {item.relpath for item in library.items()}
    index = json.loads(library.index_path.read_text())
    assert "city/NYC_skyline-night.png" not in index["entries"]


def test_corrupt_files_are_skipped_with_a_reason_and_not_reprobed(tmp_path, probes):
    root = make_library(tmp_path / "lib")
    (root / "broken.jpg").write_bytes(b"this is not a jpeg")
    (root / "clips" / "cut.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    (root / "nature" / "bad-sidecar.png").write_bytes(write_image(tmp_path / "ok.png").read_bytes())
    (root / "nature" / "bad-sidecar.json").write_text("{not json")

    library = MediaLibrary(root, tmp_path / "cache")
    report = library.refresh()

    reasons = {skip.relpath: skip.reason for skip in report.skipped}
    assert "unreadable image" in reasons["broken.jpg"]
    assert "clips/cut.mp4" in reasons
    assert "sidecar ignored" in reasons["nature/bad-sidecar.png"]
    relpaths = {item.relpath for item in library.items()}
    assert "broken.jpg" not in relpaths and "clips/cut.mp4" not in relpaths
    assert "nature/bad-sidecar.png" in relpaths  # the picture is fine; only its sidecar is not

    probes.clear()
    again = MediaLibrary(root, tmp_path / "cache")
    assert {skip.relpath for skip in again.problems()} == set(reasons)
    assert probes == []


def test_a_damaged_index_is_rebuilt(tmp_path):
    root = make_library(tmp_path / "lib")
    library = MediaLibrary(root, tmp_path / "cache")
    library.refresh()
    library.index_path.write_text("{ truncated")

    report = MediaLibrary(root, tmp_path / "cache").refresh()

    assert report.items == 4 and len(report.probed) == 4
    json.loads(library.index_path.read_text())


def test_match_prefers_tag_overlap(tmp_path):
    library = MediaLibrary(make_library(tmp_path / "lib"), tmp_path / "cache")

    best = library.match(["ocean waves", "surf"], orientation="landscape")
    assert best is not None and best.relpath == "clips/oceanWaves.mp4"
    peak = library.match(["snowy alpine glacier"], orientation="landscape")
    assert peak is not None and peak.relpath == "nature/mountains/snowyPeak.jpg"
    assert library.match(["quantum chromodynamics"], orientation="landscape") is None
    assert library.match([], orientation="landscape") is None


def test_match_ranks_exact_then_folded_then_partial(tmp_path):
    root = tmp_path / "lib"
    for name in ("microwaves.jpg", "wave.jpg", "waves.jpg"):
        write_image(root / name)
    library = MediaLibrary(root, tmp_path / "cache")

    ranked = library.rank(["waves"], orientation="landscape", min_score=0.5)

    assert [match.item.relpath for match in ranked] == ["waves.jpg", "wave.jpg", "microwaves.jpg"]
    assert library.match(["waves"], orientation="landscape", exclude={"waves.jpg"}).relpath == (
        "wave.jpg"
    )


def test_match_prefers_orientation_and_resolution(tmp_path):
    root = tmp_path / "lib"
    write_image(root / "forest-wide.jpg", (160, 90))
    write_image(root / "forest-tall.jpg", (90, 160))
    write_image(root / "forest-tiny.jpg", (32, 18))
    library = MediaLibrary(root, tmp_path / "cache")

    wide = library.match(["forest"], orientation="landscape", min_size=(160, 90))
    tall = library.match(["forest"], orientation="portrait", min_size=(90, 160))
    assert (wide.relpath, tall.relpath) == ("forest-wide.jpg", "forest-tall.jpg")

    small = library.match(
        ["forest"], orientation="landscape", min_size=(160, 90), exclude={"forest-wide.jpg"}
    )
    assert small.relpath == "forest-tiny.jpg"  # same shape beats the other orientation...
    bigger = library.rank(
        ["forest"], orientation="landscape", min_size=(1600, 900), exclude={"forest-wide.jpg"}
    )
    assert bigger[0].fit < 1  # ...but needing a big upscale is marked down


def test_match_never_reuses_and_is_deterministic(tmp_path):
    root = tmp_path / "lib"
    for name in ("b-river.jpg", "a-river.jpg", "c-river.jpg"):
        write_image(root / name)
    library = MediaLibrary(root, tmp_path / "cache")

    used: set[str] = set()
    picks = []
    for _ in range(4):
        item = library.match(["river"], orientation="landscape", exclude=used)
        picks.append(item.relpath if item else None)
        if item:
            used.add(item.relpath)

    assert picks == ["a-river.jpg", "b-river.jpg", "c-river.jpg", None]
    again = MediaLibrary(root, tmp_path / "cache")
    assert again.match(["river"], orientation="landscape").relpath == "a-river.jpg"


def test_linked_folders_are_followed_without_looping(tmp_path):
    root = tmp_path / "lib"
    write_image(tmp_path / "elsewhere" / "desert-dunes.jpg")
    root.mkdir()
    (root / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)

    library = MediaLibrary(root, tmp_path / "cache")

    assert [item.relpath for item in library.items()] == ["linked/desert-dunes.jpg"]
