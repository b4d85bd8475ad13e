"""Publishing to YouTube: API projects (where quota lives), connections (a YouTube channel
authorized through a project), the quota ledger and rotation, each video's upload."""
