from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.analytics import Analytics
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    days: int | Unset = 30,
    channel_id: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["days"] = days

    json_channel_id: int | None | Unset
    if isinstance(channel_id, Unset):
        json_channel_id = UNSET
    else:
        json_channel_id = channel_id
    params["channel_id"] = json_channel_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/analytics",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Analytics | Problem | None:
    if response.status_code == 200:
        response_200 = Analytics.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Analytics | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 30,
    channel_id: int | None | Unset = UNSET,
) -> Response[Analytics | Problem]:
    """Videos per day and per channel, success rate, costs and stage durations.


    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.

    Args:
        days (int | Unset):  Default: 30.
        channel_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Analytics | Problem]
    """

    kwargs = _get_kwargs(
        days=days,
        channel_id=channel_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 30,
    channel_id: int | None | Unset = UNSET,
) -> Analytics | Problem | None:
    """Videos per day and per channel, success rate, costs and stage durations.


    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.

    Args:
        days (int | Unset):  Default: 30.
        channel_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Analytics | Problem
    """

    return sync_detailed(
        client=client,
        days=days,
        channel_id=channel_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 30,
    channel_id: int | None | Unset = UNSET,
) -> Response[Analytics | Problem]:
    """Videos per day and per channel, success rate, costs and stage durations.


    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.

    Args:
        days (int | Unset):  Default: 30.
        channel_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Analytics | Problem]
    """

    kwargs = _get_kwargs(
        days=days,
        channel_id=channel_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    days: int | Unset = 30,
    channel_id: int | None | Unset = UNSET,
) -> Analytics | Problem | None:
    """Videos per day and per channel, success rate, costs and stage durations.


    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.

    Args:
        days (int | Unset):  Default: 30.
        channel_id (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Analytics | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            days=days,
            channel_id=channel_id,
        )
    ).parsed
