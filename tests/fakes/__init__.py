"""Loopback fakes of the external services, speaking their real wire protocols."""
