from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.user_in_role import UserInRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserIn")


@_attrs_define
class UserIn:
    """
    Attributes:
        email (str): The user's email address.
        password (str):
        display_name (None | str | Unset):
        role (UserInRole | Unset):  Default: UserInRole.OPERATOR.
    """

    email: str
    password: str
    display_name: None | str | Unset = UNSET
    role: UserInRole | Unset = UserInRole.OPERATOR

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        _role = d.pop("role", UNSET)
        role: UserInRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = UserInRole(_role)

        user_in = cls(
            email=email,
            password=password,
            display_name=display_name,
            role=role,
        )

        return user_in
