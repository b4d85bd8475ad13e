import hashlib
import json
import re

import pytest

import render.publish as publish_module
from render.artifacts import MediaAsset, MediaManifest, Script, Section, TimedSentence, Timings
from render.publish import (
    PUBLISH_RECORD,
    ExportMetadata,
    chapters_for,
    describe,
    fit_tags,
    publish_local,
    slugify,
)
from tests.test_media_fixtures import write_clip, write_image

VIDEO_SECONDS = 65


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    return write_clip(folder / "video.mp4", (64, 36), seconds=VIDEO_SECONDS, fps=2)


def make_script(headings=("Welcome", "Short bit", "Roads", "Bridges", "Goodbye")) -> Script:
    return Script(
        topic="roman roads",
        title="How Rome Built Roads: <Secrets> Revealed",
        description="Everything about Roman roads.",
        tags=["rome", "roads", "Rome", "history"],
        niche="history",
        template="test",
        words_per_second=2.5,
        sections=[Section(heading=heading, narration="Words.") for heading in headings],
    )


def make_timings(starts=(0.4, 3.0, 15.2, 30.9, 58.0), duration=float(VIDEO_SECONDS)) -> Timings:
    ends = [*starts[1:], duration]
    return Timings(
        sample_rate=22050,
        duration=duration,
        sentences=[
            TimedSentence(text=f"Sentence {index}.", start=start, end=end, section=index)
            for index, (start, end) in enumerate(zip(starts, ends, strict=True))
        ],
        voice="test",
    )


def make_media() -> MediaManifest:
    return MediaManifest(
        assets=[
            MediaAsset(
                section=0, kind="image", path="media/a.jpg", source="generated", origin="title"
            ),
            MediaAsset(
                section=1,
                kind="video",
                path="media/b.mp4",
                source="library",
                origin="roads/via-appia.mp4",
                attribution="Jane Doe",
                license="CC BY 4.0",
                duration=4.0,
            ),
            MediaAsset(
                section=2,
                kind="image",
                path="media/c.jpg",
                source="library",
                origin="roads/stones.jpg",
                license="CC0",
            ),
        ]
    )


@pytest.fixture
def job(tmp_path, video):
    job_dir = tmp_path / "job"
    thumbnail = write_image(job_dir / "thumbnail.jpg", (128, 72))
    return {
        "job_dir": job_dir,
        "export_root": tmp_path / "exports",
        "script": make_script(),
        "timings": make_timings(),
        "media": make_media(),
        "video": video,
        "thumbnail": thumbnail,
    }


def publish(job, **overrides):
    args = {**job, **overrides}
    return publish_local(args.pop("job_dir"), args.pop("export_root"), **args)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_folder_is_complete(job):
    folder = publish(job)

    assert folder.parent == job["export_root"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-how-rome-built-roads-secrets-revealed", folder.name)
    assert sorted(path.name for path in folder.iterdir()) == [
        "metadata.json",
        "thumbnail.jpg",
        "video.mp4",
    ]
    assert sorted(path.name for path in job["export_root"].iterdir()) == [folder.name]
    metadata = ExportMetadata.model_validate_json((folder / "metadata.json").read_bytes())
    assert metadata.title == "How Rome Built Roads: ‹Secrets› Revealed"
    assert metadata.tags == ["rome", "roads", "history"]
    assert metadata.privacy == "private" and metadata.video_id is None
    assert metadata.duration == pytest.approx(VIDEO_SECONDS, abs=0.6)
    assert (metadata.width, metadata.height) == (64, 36)
    for name in ("video.mp4", "thumbnail.jpg"):
        assert metadata.files[name].sha256 == sha256(folder / name) == sha256(job[name[:-4]])
        assert metadata.files[name].bytes == (folder / name).stat().st_size


def test_chapters_follow_youtube_rules(job):
    metadata = ExportMetadata.model_validate_json((publish(job) / "metadata.json").read_bytes())

    # "Short bit" starts 3 s in (merged into the intro); "Goodbye" leaves 7 s (merged too).
    assert [(c.time, c.title) for c in metadata.chapters] == [
        ("0:00", "Welcome"),
        ("0:15", "Roads"),
        ("0:30", "Bridges"),
    ]
    assert "Chapters\n0:00 Welcome\n0:15 Roads\n0:30 Bridges" in metadata.description
    assert metadata.description.startswith("Everything about Roman roads.\n\n")


def test_chapter_rules_on_their_own():
    script = make_script(("A", "B", "C", "D"))
    spaced = chapters_for(script, make_timings((5, 20, 40, 60), 80), 80)
    assert [(c.start, c.time) for c in spaced] == [
        (0, "0:00"),
        (20, "0:20"),
        (40, "0:40"),
        (60, "1:00"),
    ]

    too_few = chapters_for(script, make_timings((0, 12, 15, 18), 30), 30)
    assert too_few == []

    long_video = chapters_for(script, make_timings((0, 1200, 3700, 3900), 4000), 4000)
    assert [c.time for c in long_video] == ["0:00", "20:00", "1:01:40", "1:05:00"]
    for first, second in zip(long_video, long_video[1:], strict=False):
        assert second.start - first.start >= 10


def test_attribution_is_listed(job):
    metadata = ExportMetadata.model_validate_json((publish(job) / "metadata.json").read_bytes())

    assert [(c.origin, c.attribution, c.license) for c in metadata.attribution] == [
        ("roads/via-appia.mp4", "Jane Doe", "CC BY 4.0"),
        ("roads/stones.jpg", None, "CC0"),
    ]
    assert metadata.description.endswith("Media credits\n- Jane Doe (CC BY 4.0)")


def test_publishing_again_reuses_the_folder(job):
    first = publish(job)
    metadata_bytes = (first / "metadata.json").read_bytes()
    inode = first.stat().st_ino

    second = publish(job)

    assert second == first and first.stat().st_ino == inode  # untouched, not rebuilt
    assert (second / "metadata.json").read_bytes() == metadata_bytes
    assert sorted(path.name for path in job["export_root"].iterdir()) == [first.name]

    third = publish(job, video_id="abc123XYZ")
    assert third == first
    assert json.loads((third / "metadata.json").read_text())["video_id"] == "abc123XYZ"
    assert (
        json.loads((third / "metadata.json").read_text())["created"]
        == json.loads(metadata_bytes)["created"]
    )
    assert sorted(path.name for path in job["export_root"].iterdir()) == [first.name]


def test_another_job_with_the_same_title_gets_its_own_folder(job, tmp_path):
    first = publish(job)
    other_job = tmp_path / "other-job"
    write_image(other_job / "thumbnail.jpg", (128, 72))

    second = publish(job, job_dir=other_job, thumbnail=other_job / "thumbnail.jpg")

    assert second.name == f"{first.name}-2"
    first_id = json.loads((first / "metadata.json").read_text())["publish_id"]
    assert json.loads((second / "metadata.json").read_text())["publish_id"] != first_id


def test_a_folder_taken_by_someone_else_is_never_overwritten(job):
    first = publish(job)
    metadata = json.loads((first / "metadata.json").read_text())
    metadata["publish_id"] = "somebody-else"
    (first / "metadata.json").write_text(json.dumps(metadata))

    second = publish(job, video_id="new")

    assert second != first
    assert json.loads((first / "metadata.json").read_text())["publish_id"] == "somebody-else"
    assert json.loads((job["job_dir"] / PUBLISH_RECORD).read_text())["folder"] == second.name


def test_a_failed_publish_leaves_no_folder_and_no_debris(job, monkeypatch):
    real = publish_module.place_file
    calls = []

    def failing(source, dest):
        calls.append(dest.name)
        if dest.name == "thumbnail.jpg":
            raise OSError("disk full")
        return real(source, dest)

    monkeypatch.setattr(publish_module, "place_file", failing)
    with pytest.raises(OSError, match="disk full"):
        publish(job)
    assert calls == ["video.mp4", "thumbnail.jpg"]
    assert list(job["export_root"].iterdir()) == []

    monkeypatch.setattr(publish_module, "place_file", real)
    folder = publish(job)
    assert sorted(path.name for path in job["export_root"].iterdir()) == [folder.name]


def test_leftovers_of_an_interrupted_publish_are_cleared(job):
    folder = publish(job)
    record = json.loads((job["job_dir"] / PUBLISH_RECORD).read_text())
    leftover = job["export_root"] / f".{record['folder']}.{record['publish_id'][:12]}.partial"
    leftover.mkdir()
    (leftover / "video.mp4").write_bytes(b"half")

    publish(job, video_id="after-crash")

    assert sorted(path.name for path in job["export_root"].iterdir()) == [folder.name]


def test_a_file_that_is_not_a_video_is_refused(job, tmp_path):
    with pytest.raises(ValueError, match="cannot publish"):
        publish(job, video=job["thumbnail"])
    assert not job["export_root"].exists() or list(job["export_root"].iterdir()) == []


def test_slugs_are_ascii_and_short():
    assert slugify("Café Déjà Vu: Ünïcode & More!") == "cafe-deja-vu-unicode-more"
    long_slug = slugify("word " * 30)
    assert len(long_slug) <= 60 and not long_slug.endswith("-")
    assert slugify("日本語") == "video"


def test_description_and_tags_stay_within_youtube_limits():
    chapters = chapters_for(make_script(("A", "B", "C")), make_timings((0, 20, 40), 60), 60)
    text = describe("x" * 6000, chapters, [])
    assert len(text) <= 5000 and text.endswith("0:40 C")

    tags = fit_tags([f"tag number {index}" for index in range(100)])
    assert sum(len(tag) + 2 for tag in tags) + len(tags) - 1 <= 500
    assert fit_tags(["a,b", "A B", "  "]) == ["a b"]
