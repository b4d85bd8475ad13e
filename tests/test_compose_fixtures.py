"""Media the composer tests render from, made on the spot with PyAV, Pillow and numpy,
and helpers that read the results back."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import av.filter
import numpy as np
from PIL import Image

RATE = 48_000


def write_image(path: Path, rgb: np.ndarray) -> Path:
    Image.fromarray(rgb).save(path)
    return path


def textured_image(width: int, height: int, seed: int) -> np.ndarray:
    """Smooth random texture: detail for motion to show, no flat areas."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((width, height), Image.BICUBIC))


def flat_image(width: int, height: int, value: int) -> np.ndarray:
    return np.full((height, width, 3), value, dtype=np.uint8)


def dot_image(width: int, height: int, centre: tuple[float, float]) -> np.ndarray:
    """Dark grey with one soft bright blob: its centroid tracks the motion."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    sigma = width / 40
    blob = np.exp(-((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) / (2 * sigma**2))
    grey = (40 + 200 * blob).astype(np.uint8)
    return np.dstack([grey, grey, grey])


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Mono (n,) or stereo (2, n) float samples as 16-bit PCM WAV."""
    layout = "mono" if samples.ndim == 1 else "stereo"
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    interleaved = pcm[None, :] if samples.ndim == 1 else pcm.T.reshape(1, -1)
    channels = 1 if samples.ndim == 1 else 2
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout=layout)
        step = 4096
        for start in range(0, interleaved.shape[1] // channels, step):
            chunk = interleaved[:, start * channels : (start + step) * channels]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), "s16", layout)
            frame.sample_rate = rate
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def speech_like(seconds: float, rate: int, bursts: list[tuple[float, float]], seed: int = 0):
    """Low-passed noise with a syllable-rate envelope inside ``bursts``, silence elsewhere."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.zeros_like(t)
    for start, end in bursts:
        inside = (t >= start) & (t < end)
        envelope[inside] = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * (t[inside] - start)) ** 2
    noise = np.convolve(rng.standard_normal(t.size), np.ones(8) / 8, mode="same")
    return noise * envelope * 0.3


def tone(seconds: float, rate: int, frequency: float, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = amplitude * np.sin(2 * np.pi * frequency * t)
    return np.stack([wave, wave])


def write_clip(path: Path, width: int, height: int, fps: int, frames: int) -> Path:
    """An H.264 clip whose frame ``k`` is mid-grey level ``level_of(k)``, with a white band
    on top and a black band at the bottom (each 1/12 of the height)."""
    band = height // 12
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "10"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            rgb = np.full((height, width, 3), level_of(index), dtype=np.uint8)
            rgb[:band] = 255
            rgb[height - band :] = 0
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def level_of(index: int) -> int:
    return 30 + 4 * index


def index_of(level: float) -> int:
    return round((level - 30) / 4)


def top_level_atoms(path: Path) -> list[str]:
    data = path.read_bytes()
    atoms, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return atoms


def nal_types(packet: av.Packet) -> list[int]:
    """NAL unit types in an MP4 (length-prefixed) H.264 packet."""
    data, types, offset = bytes(packet), [], 0
    while offset + 4 < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        types.append(data[offset + 4] & 0x1F)
        offset += 4 + length
    return types


def decoded_luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [
            frame.to_ndarray(format="gray")
            for frame in container.decode(container.streams.video[0])
        ]


def decoded_audio(path: Path) -> np.ndarray:
    """The first audio stream as (2, n) float32 at its own rate."""
    with av.open(str(path)) as container:
        chunks = [frame.to_ndarray() for frame in container.decode(container.streams.audio[0])]
    return np.concatenate(chunks, axis=1).astype(np.float32)


def ffmpeg_loudness(samples: np.ndarray) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by FFmpeg's ebur128 filter."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        sample_rate=RATE, format="fltp", layout="stereo", time_base=Fraction(1, RATE)
    )
    meter = graph.add("ebur128", "metadata=1:peak=true")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    integrated, peak = float("-inf"), 0.0

    def drain() -> None:
        nonlocal integrated, peak
        while True:
            try:
                metadata = graph.pull().metadata
            except (av.BlockingIOError, av.EOFError):
                return
            if "lavfi.r128.I" in metadata:
                integrated = float(metadata["lavfi.r128.I"])
            peak = max(peak, float(metadata.get("lavfi.r128.true_peak", 0.0)))

    for start in range(0, samples.shape[1], 4800):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, start : start + 4800]), format="fltp", layout="stereo"
        )
        frame.sample_rate = RATE
        frame.time_base = Fraction(1, RATE)
        frame.pts = start
        graph.push(frame)
        drain()
    graph.push(None)
    drain()
    return integrated, float(20 * np.log10(max(peak, 1e-9)))


def band_level_db(samples: np.ndarray, rate: int, frequency: float, width: float = 30.0) -> float:
    """Level (dB, relative) of a mono signal within ``width`` Hz of ``frequency``; blind
    to phase, so a looped tone measures the same across its loop points."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2
    bins = np.fft.rfftfreq(samples.size, 1 / rate)
    band = spectrum[np.abs(bins - frequency) <= width / 2].sum()
    return float(10 * np.log10(max(band / samples.size, 1e-20)))
