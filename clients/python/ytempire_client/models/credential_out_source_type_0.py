from enum import StrEnum


class CredentialOutSourceType0(StrEnum):
    API = "api"
    SETTINGS = "settings"

    def __str__(self) -> str:
        return str(self.value)
