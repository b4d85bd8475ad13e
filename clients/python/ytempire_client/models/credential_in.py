from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.credential_in_value_type_1 import CredentialInValueType1


T = TypeVar("T", bound="CredentialIn")


@_attrs_define
class CredentialIn:
    """
    Attributes:
        value (CredentialInValueType1 | str): The secret. openai, local-llm, pexels, pixabay: the API key, one token of
            8 to 512 printable ASCII characters. google-tts: the service-account JSON (as text or as an object; at most 20
            KB). Never shown back.
    """

    value: CredentialInValueType1 | str

    def to_dict(self) -> dict[str, Any]:
        from ..models.credential_in_value_type_1 import CredentialInValueType1  # noqa: PLC0415

        value: dict[str, Any] | str
        if isinstance(self.value, CredentialInValueType1):
            value = self.value.to_dict()
        else:
            value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credential_in_value_type_1 import CredentialInValueType1  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_value(data: object) -> CredentialInValueType1 | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                value_type_1 = CredentialInValueType1.from_dict(data)

                return value_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CredentialInValueType1 | str, data)

        value = _parse_value(d.pop("value"))

        credential_in = cls(
            value=value,
        )

        return credential_in
