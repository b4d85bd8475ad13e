from enum import StrEnum


class CredentialOutStatusType0(StrEnum):
    OK = "ok"
    UNREADABLE = "unreadable"

    def __str__(self) -> str:
        return str(self.value)
