"""The soundtrack: voice, ducked music, loudness normalisation, AAC."""
