import datetime
from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export_dataset import ExportDataset
from ...models.export_format import ExportFormat
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    dataset: ExportDataset,
    *,
    since: datetime.date | None | Unset = UNSET,
    until: datetime.date | None | Unset = UNSET,
    format_: ExportFormat | Unset = ExportFormat.CSV,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.date):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.date):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/export/{dataset}".format(
            dataset=quote(str(dataset), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.text))

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[File | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dataset: ExportDataset,
    *,
    client: AuthenticatedClient,
    since: datetime.date | None | Unset = UNSET,
    until: datetime.date | None | Unset = UNSET,
    format_: ExportFormat | Unset = ExportFormat.CSV,
) -> Response[File | Problem]:
    """Stream a dataset of a date range: `videos` (created in it), `costs` (booked in

     it), `quota` (YouTube calls per project, Pacific day and method), `analytics` (per
    day: made, failed, spend).

    Args:
        dataset (ExportDataset):
        since (datetime.date | None | Unset):
        until (datetime.date | None | Unset):
        format_ (ExportFormat | Unset):  Default: ExportFormat.CSV.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        dataset=dataset,
        since=since,
        until=until,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dataset: ExportDataset,
    *,
    client: AuthenticatedClient,
    since: datetime.date | None | Unset = UNSET,
    until: datetime.date | None | Unset = UNSET,
    format_: ExportFormat | Unset = ExportFormat.CSV,
) -> File | Problem | None:
    """Stream a dataset of a date range: `videos` (created in it), `costs` (booked in

     it), `quota` (YouTube calls per project, Pacific day and method), `analytics` (per
    day: made, failed, spend).

    Args:
        dataset (ExportDataset):
        since (datetime.date | None | Unset):
        until (datetime.date | None | Unset):
        format_ (ExportFormat | Unset):  Default: ExportFormat.CSV.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return sync_detailed(
        dataset=dataset,
        client=client,
        since=since,
        until=until,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    dataset: ExportDataset,
    *,
    client: AuthenticatedClient,
    since: datetime.date | None | Unset = UNSET,
    until: datetime.date | None | Unset = UNSET,
    format_: ExportFormat | Unset = ExportFormat.CSV,
) -> Response[File | Problem]:
    """Stream a dataset of a date range: `videos` (created in it), `costs` (booked in

     it), `quota` (YouTube calls per project, Pacific day and method), `analytics` (per
    day: made, failed, spend).

    Args:
        dataset (ExportDataset):
        since (datetime.date | None | Unset):
        until (datetime.date | None | Unset):
        format_ (ExportFormat | Unset):  Default: ExportFormat.CSV.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        dataset=dataset,
        since=since,
        until=until,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dataset: ExportDataset,
    *,
    client: AuthenticatedClient,
    since: datetime.date | None | Unset = UNSET,
    until: datetime.date | None | Unset = UNSET,
    format_: ExportFormat | Unset = ExportFormat.CSV,
) -> File | Problem | None:
    """Stream a dataset of a date range: `videos` (created in it), `costs` (booked in

     it), `quota` (YouTube calls per project, Pacific day and method), `analytics` (per
    day: made, failed, spend).

    Args:
        dataset (ExportDataset):
        since (datetime.date | None | Unset):
        until (datetime.date | None | Unset):
        format_ (ExportFormat | Unset):  Default: ExportFormat.CSV.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return (
        await asyncio_detailed(
            dataset=dataset,
            client=client,
            since=since,
            until=until,
            format_=format_,
        )
    ).parsed
