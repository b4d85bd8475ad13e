"""YouTube Data API v3 from worker code: the official client pointed at a configurable root,
the resumable upload that survives crashes, and the calls after it."""
