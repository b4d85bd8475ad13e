from enum import StrEnum


class SetCredentialName(StrEnum):
    GOOGLE_TTS = "google-tts"
    LOCAL_LLM = "local-llm"
    OPENAI = "openai"
    PEXELS = "pexels"
    PIXABAY = "pixabay"

    def __str__(self) -> str:
        return str(self.value)
