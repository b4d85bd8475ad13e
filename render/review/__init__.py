"""The review stage's checks: the export measured against YouTube's upload rules and the
box's own bar (loudness, silence, black and frozen pictures, captions, metadata, the
thumbnail), each passing, fixed, or holding the video for a person."""
