"""Expose a Piper model's phoneme durations as a graph output, without the onnx package.

Piper voices compute each phoneme's length in audio frames (a ``Ceil`` node) but do
not output it unless the model was patched. Piper 1.8 can patch in memory with the
``onnx`` package; this does the same edit on the raw protobuf so no extra dependency
is needed: it appends one more ``graph`` field holding one more ``output`` entry.
Protobuf merges repeated occurrences of an embedded message field, so the appended
bytes extend the graph's output list and change nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator

# Field numbers from onnx.proto: ModelProto.graph, GraphProto.node and .output,
# NodeProto.output and .op_type, ValueInfoProto.name.
_MODEL_GRAPH = 7
_GRAPH_NODE = 1
_GRAPH_OUTPUT = 12
_NODE_OUTPUT = 2
_NODE_OP_TYPE = 4
_VALUE_INFO_NAME = 1
_LENGTH_DELIMITED = 2
DURATION_OP = "Ceil"


def with_alignment_output(model: bytes) -> bytes | None:
    """``model`` with its phoneme-duration tensor added as an output; ``None`` when it
    has no single such tensor or already outputs it (then load the model as it is)."""
    try:
        graphs = [(s, e) for num, wt, s, e in _fields(model, 0, len(model)) if num == _MODEL_GRAPH]
        if len(graphs) != 1 or graphs[0][0] < 0:
            return None
        start, end = graphs[0]
        durations: list[str] = []
        outputs: list[str] = []
        for number, wire, field_start, field_end in _fields(model, start, end):
            if wire != _LENGTH_DELIMITED:
                continue
            if number == _GRAPH_NODE:
                durations += _duration_outputs(model, field_start, field_end)
            elif number == _GRAPH_OUTPUT:
                outputs += _strings(model, field_start, field_end, _VALUE_INFO_NAME)
    except (IndexError, UnicodeDecodeError, ValueError):
        return None  # not a protobuf we understand: no alignments, not an error
    if len(durations) != 1 or durations[0] in outputs:
        return None
    value_info = _length_delimited(_VALUE_INFO_NAME, durations[0].encode())
    graph = _length_delimited(_GRAPH_OUTPUT, value_info)
    return model + _length_delimited(_MODEL_GRAPH, graph)


def _duration_outputs(buf: bytes, start: int, end: int) -> list[str]:
    op_types = _strings(buf, start, end, _NODE_OP_TYPE)
    if op_types != [DURATION_OP]:
        return []
    return _strings(buf, start, end, _NODE_OUTPUT)


def _strings(buf: bytes, start: int, end: int, wanted: int) -> list[str]:
    return [
        buf[s:e].decode()
        for number, wire, s, e in _fields(buf, start, end)
        if number == wanted and wire == _LENGTH_DELIMITED
    ]


def _fields(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value start, value end) of each field in buf[start:end];
    start is -1 for values that are not length-delimited."""
    pos = start
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(buf, pos)
            yield number, wire, -1, -1
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == _LENGTH_DELIMITED:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise ValueError("field runs past its message")
            yield number, wire, pos, pos + length
            pos += length
        else:
            raise ValueError(f"unsupported wire type {wire}")
    if pos != end:
        raise ValueError("message ends inside a field")


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    key = _encode_varint(number << 3 | _LENGTH_DELIMITED)
    return key + _encode_varint(len(payload)) + payload
