"""Encoder settings for YouTube's recommended upload format, and opening them with a
clear error.

Both encoders produce H.264 High, yuv420p, BT.709, a closed GOP of half the frame
rate and two B-frames; only the rate control differs: x264 takes the plan's CRF,
NVENC the same number as its constant-quality target in VBR mode.
"""

from __future__ import annotations

from fractions import Fraction

import av
import av.logging

from render.compose.errors import EncoderUnavailable
from render.compose.plan import RenderPlan
from render.encoders import captured_ffmpeg_errors, describe_ffmpeg_error

AUDIO_CODEC = "aac"
AUDIO_BITRATE = 192_000
B_FRAMES = 2
_BT709 = 1  # AVCOL_PRI_BT709 = AVCOL_TRC_BT709 = AVCOL_SPC_BT709
_LIMITED_RANGE = 1  # AVCOL_RANGE_MPEG

# x264 preset names mapped onto NVENC's p1 (fastest) .. p7 (best)
_NVENC_PRESET = {
    "ultrafast": "p1",
    "superfast": "p2",
    "veryfast": "p3",
    "faster": "p4",
    "fast": "p4",
    "medium": "p5",
    "slow": "p6",
    "slower": "p7",
    "veryslow": "p7",
}


def gop_size(fps: int) -> int:
    return max(1, round(fps / 2))


def video_options(plan: RenderPlan) -> dict[str, str]:
    """The encoder's private options (FFmpeg names) for the plan."""
    if plan.encoder == "h264_nvenc":
        return {
            "preset": _NVENC_PRESET.get(plan.preset, plan.preset),
            "tune": "hq",
            "profile": "high",
            "rc": "vbr",
            "cq": str(plan.crf),
            "rc-lookahead": "20",
            "spatial-aq": "1",
            "forced-idr": "1",
        }
    return {"preset": plan.preset, "crf": str(plan.crf), "profile": "high"}


def add_video_stream(
    container: av.container.OutputContainer, plan: RenderPlan
) -> av.video.stream.VideoStream:
    stream = container.add_stream(plan.encoder, rate=plan.fps, options=video_options(plan))
    context = stream.codec_context
    context.width = plan.width
    context.height = plan.height
    context.pix_fmt = "yuv420p"
    context.time_base = Fraction(1, plan.fps)
    context.framerate = Fraction(plan.fps, 1)
    context.gop_size = gop_size(plan.fps)
    context.max_b_frames = B_FRAMES
    context.color_primaries = _BT709
    context.color_trc = _BT709
    context.colorspace = _BT709
    context.color_range = _LIMITED_RANGE
    if plan.encoder == "h264_nvenc":
        context.bit_rate = 0  # quality-targeted VBR: -cq governs, no bitrate cap
    else:
        context.thread_type = "FRAME"  # x264's frame threads: faster than SLICE, smaller files
        context.thread_count = plan.threads
    return stream


def add_audio_stream(container: av.container.OutputContainer) -> av.audio.stream.AudioStream:
    # FFmpeg documents its "fast" AAC coder as both faster and better than the default
    # two-loop search at high bitrates; at 192 kb/s it costs a third of the CPU.
    stream = container.add_stream(
        AUDIO_CODEC, rate=48_000, layout="stereo", options={"aac_coder": "fast"}
    )
    stream.codec_context.format = "fltp"
    stream.codec_context.bit_rate = AUDIO_BITRATE
    stream.codec_context.profile = "LC"
    return stream


def start_encoding(container: av.container.OutputContainer, encoder: str) -> None:
    """Open every encoder and write the header; an encoder that cannot open here
    (NVENC without a GPU) raises EncoderUnavailable with FFmpeg's reason."""
    with captured_ffmpeg_errors() as errors:
        try:
            container.start_encoding()
        except av.FFmpegError as error:
            reason = describe_ffmpeg_error(error, errors)
            raise EncoderUnavailable(f"cannot open encoder {encoder}: {reason}") from error
