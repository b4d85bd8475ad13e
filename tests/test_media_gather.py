import json

import pytest
from PIL import Image

import render.media.gather as gather_module
from render.artifacts import MEDIA_DIR, MEDIA_FILE, MediaManifest, Script, Section, read_record
from render.media import MediaLibrary, gather_media
from tests.test_media_fixtures import write_clip, write_image

WIDTH, HEIGHT = 320, 180


def make_script(
    *terms: list[str], title: str = "Wonders of the Ocean", topic: str = "ocean wonders"
) -> Script:
    return Script(
        topic=topic,
        title=title,
        description="A short tour.",
        niche="nature",
        template="test",
        words_per_second=2.5,
        sections=[
            Section(heading=f"Part {index}", narration="Some words.", search_terms=list(words))
            for index, words in enumerate(terms)
        ],
    )


def media_files(job_dir):
    return sorted(path.name for path in (job_dir / MEDIA_DIR).iterdir())


def test_without_a_library_every_section_is_generated(tmp_path):
    job = tmp_path / "job"
    script = make_script(["intro"], ["coral reef"], ["deep trench"])

    manifest = gather_media(script, job, width=WIDTH, height=HEIGHT, library=None)

    assert read_record(job / MEDIA_FILE, MediaManifest) == manifest
    assert [asset.section for asset in manifest.assets] == [0, 1, 2]
    assert all(asset.source == "generated" and asset.kind == "image" for asset in manifest.assets)
    assert manifest.assets[0].origin.startswith("title_card ")
    assert manifest.assets[1].origin.startswith("background seed=")
    for asset in manifest.assets:
        assert asset.path.startswith(f"{MEDIA_DIR}/") and not asset.path.startswith("/")
        with Image.open(job / asset.path) as image:
            assert (image.format, image.size) == ("JPEG", (WIDTH, HEIGHT))
    assert media_files(job) == sorted(asset.path.split("/")[1] for asset in manifest.assets)


def test_a_second_run_changes_nothing(tmp_path):
    job = tmp_path / "job"
    script = make_script(["intro"], ["coral reef"], ["deep trench"])
    first = gather_media(script, job, width=WIDTH, height=HEIGHT, library=None)
    stamps = {name: (job / MEDIA_DIR / name).stat().st_mtime_ns for name in media_files(job)}

    second = gather_media(script, job, width=WIDTH, height=HEIGHT, library=None)

    assert second == first
    assert {name: (job / MEDIA_DIR / name).stat().st_mtime_ns for name in media_files(job)} == (
        stamps
    )


def test_library_matches_are_placed_with_credits_and_never_reused(tmp_path):
    root = tmp_path / "lib"
    write_image(root / "reef" / "coral-reef-fish.jpg", (640, 360))
    write_clip(root / "reef" / "coralReef.mp4", (320, 180), seconds=1.0)
    (root / "reef" / "coralReef.json").write_text(
        json.dumps({"attribution": "Sam Diver", "license": "CC BY 4.0"})
    )
    write_image(root / "ocean-waves-title.jpg", (640, 360))
    library = MediaLibrary(root, tmp_path / "cache")
    job = tmp_path / "job"
    script = make_script(
        ["ocean waves"], ["coral reef"], ["coral reef"], ["coral reef"], ["volcano"]
    )

    manifest = gather_media(script, job, width=WIDTH, height=HEIGHT, library=library)

    sources = [(asset.source, asset.origin.split(" ")[0]) for asset in manifest.assets]
    assert sources[0] == ("library", "ocean-waves-title.jpg")  # a strong match beats the card
    assert {sources[1][1], sources[2][1]} == {"reef/coralReef.mp4", "reef/coral-reef-fish.jpg"}
    assert sources[3] == ("generated", "background")  # both reef files already used
    assert sources[4] == ("generated", "background")
    clip = next(asset for asset in manifest.assets if asset.origin == "reef/coralReef.mp4")
    assert clip.kind == "video" and clip.duration == pytest.approx(1.0, abs=0.15)
    assert (clip.attribution, clip.license) == ("Sam Diver", "CC BY 4.0")
    placed = job / clip.path
    assert placed.read_bytes() == (root / "reef" / "coralReef.mp4").read_bytes()
    assert placed.stat().st_ino == (root / "reef" / "coralReef.mp4").stat().st_ino  # hard link


def test_a_weak_match_does_not_replace_the_title_card(tmp_path):
    root = tmp_path / "lib"
    write_image(root / "ocean.jpg", (640, 360))
    job = tmp_path / "job"
    script = make_script(["ocean sunrise"], ["ocean"])

    manifest = gather_media(
        script, job, width=WIDTH, height=HEIGHT, library=MediaLibrary(root, tmp_path / "cache")
    )

    assert manifest.assets[0].origin.startswith("title_card ")
    assert (manifest.assets[1].source, manifest.assets[1].origin) == ("library", "ocean.jpg")


def test_shorts_prefer_portrait_files(tmp_path):
    root = tmp_path / "lib"
    write_image(root / "jellyfish-wide.jpg", (640, 360))
    write_image(root / "jellyfish-tall.jpg", (360, 640))
    library = MediaLibrary(root, tmp_path / "cache")
    script = make_script(["intro"], ["jellyfish"])

    wide = gather_media(script, tmp_path / "wide", width=320, height=180, library=library)
    tall = gather_media(script, tmp_path / "tall", width=180, height=320, library=library)

    assert wide.assets[1].origin == "jellyfish-wide.jpg"
    assert tall.assets[1].origin == "jellyfish-tall.jpg"
    with Image.open(tmp_path / "tall" / tall.assets[0].path) as card:
        assert card.size == (180, 320)


def test_a_failed_first_run_leaves_nothing(tmp_path, monkeypatch):
    job = tmp_path / "job"
    real = gather_module.render_background
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(gather_module, "render_background", failing)
    with pytest.raises(RuntimeError):
        gather_media(
            make_script(["a"], ["b"], ["c"], ["d"]), job, width=WIDTH, height=HEIGHT, library=None
        )

    assert not (job / MEDIA_FILE).exists()
    assert media_files(job) == []


def test_a_failed_rerun_keeps_the_previous_result_whole(tmp_path, monkeypatch):
    job = tmp_path / "job"
    before = gather_media(
        make_script(["a"], ["b"], ["c"]), job, width=WIDTH, height=HEIGHT, library=None
    )
    before_files = media_files(job)

    def failing(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gather_module, "render_background", failing)
    changed = make_script(["a"], ["b"], ["c"], title="Rivers", topic="rivers")
    with pytest.raises(RuntimeError):
        gather_media(changed, job, width=WIDTH, height=HEIGHT, library=None)

    assert read_record(job / MEDIA_FILE, MediaManifest) == before
    assert media_files(job) == before_files


def test_files_no_longer_chosen_are_removed_after_the_new_manifest(tmp_path):
    root = tmp_path / "lib"
    job = tmp_path / "job"
    script = make_script(["intro"], ["lighthouse"])
    first = gather_media(
        script, job, width=WIDTH, height=HEIGHT, library=MediaLibrary(root, tmp_path / "c")
    )
    assert first.assets[1].source == "generated"

    write_image(root / "lighthouse.jpg", (640, 360))
    second = gather_media(
        script, job, width=WIDTH, height=HEIGHT, library=MediaLibrary(root, tmp_path / "c")
    )

    assert second.assets[1].source == "library"
    assert second.assets[0] == first.assets[0]
    assert media_files(job) == sorted(asset.path.split("/")[1] for asset in second.assets)
