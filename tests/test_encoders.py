import re
import time

import av.logging
import pytest

from render.encoders import DEFAULT_ENCODERS, EncoderProbe, probe_encoder, probe_encoders


def test_libx264_encodes_frames_into_packets_quickly():
    started = time.perf_counter()
    probe = probe_encoder("libx264")
    elapsed = time.perf_counter() - started

    assert probe == EncoderProbe("libx264", True, probe.detail)
    packets = re.search(r"into (\d+) packets", probe.detail)
    assert packets is not None, probe.detail
    assert int(packets.group(1)) > 0
    assert elapsed < 1.0


def test_unknown_encoder_is_reported_with_a_reason():
    probe = probe_encoder("no_such_encoder_x")

    assert not probe.ok
    assert probe.detail == "not in this FFmpeg build"


def test_an_audio_encoder_is_not_taken_for_a_video_encoder():
    probe = probe_encoder("aac")

    assert not probe.ok
    assert "not a video encoder" in probe.detail


def test_nvenc_is_either_working_or_explained(capfd, caplog):
    probe = probe_encoder("h264_nvenc")

    assert probe.name == "h264_nvenc"
    assert probe.ok or probe.detail.strip()
    # FFmpeg's own complaints are captured into the detail, not printed.
    assert capfd.readouterr().err == ""
    assert not [record for record in caplog.records if record.name.startswith("libav")]


def test_a_failing_probe_says_what_ffmpeg_said_every_time():
    # PyAV drops a log line identical to the one before it, so from the second
    # probe on the reason comes only from the exception; it must still be there.
    probes = [probe_encoder("h264_nvenc") for _ in range(3)]
    if probes[0].ok:
        pytest.skip("NVENC works on this machine")

    assert len(set(probes)) == 1
    # "open failed: <errno message>: <FFmpeg's own line, e.g. Cannot load libcuda.so.1>"
    assert re.fullmatch(r"(open|encode) failed: [^:]+: .+", probes[0].detail), probes[0].detail


def test_probe_restores_the_pyav_log_level():
    assert av.logging.get_level() is None
    try:
        av.logging.set_level(av.logging.WARNING)
        probe_encoder("h264_nvenc")
        assert av.logging.get_level() == av.logging.WARNING
    finally:
        av.logging.set_level(None)
    probe_encoder("h264_nvenc")
    assert av.logging.get_level() is None


def test_probe_encoders_probes_each_name_in_order():
    probes = probe_encoders()

    assert [probe.name for probe in probes] == list(DEFAULT_ENCODERS)
    assert probes[0].ok  # libx264 is in every PyAV wheel
    assert probe_encoders(["mpeg4", "nope"])[1].ok is False
