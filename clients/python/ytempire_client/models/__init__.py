"""Contains all the data models used in inputs/outputs"""

from .analytics import Analytics
from .analytics_channel import AnalyticsChannel
from .analytics_day import AnalyticsDay
from .analytics_stage import AnalyticsStage
from .analytics_tally import AnalyticsTally
from .api_key_created import ApiKeyCreated
from .api_key_created_scopes_item import ApiKeyCreatedScopesItem
from .api_key_in import ApiKeyIn
from .api_key_in_scopes_item import ApiKeyInScopesItem
from .api_key_out import ApiKeyOut
from .api_key_out_scopes_item import ApiKeyOutScopesItem
from .api_key_page import ApiKeyPage
from .artifact_out import ArtifactOut
from .artifact_out_kind import ArtifactOutKind
from .attempt_out import AttemptOut
from .backlog import Backlog
from .backlog_in import BacklogIn
from .backlog_topic import BacklogTopic
from .batch_in import BatchIn
from .batch_in_format_type_0 import BatchInFormatType0
from .batch_in_items_item import BatchInItemsItem
from .box_out import BoxOut
from .boxes import Boxes
from .bucket_out import BucketOut
from .channel import Channel
from .channel_in import ChannelIn
from .channel_in_format import ChannelInFormat
from .channel_in_niche import ChannelInNiche
from .channel_in_privacy import ChannelInPrivacy
from .channel_in_providers import ChannelInProviders
from .channel_in_style_type_0 import ChannelInStyleType0
from .channel_page import ChannelPage
from .channel_patch import ChannelPatch
from .channel_patch_format import ChannelPatchFormat
from .channel_patch_niche import ChannelPatchNiche
from .channel_patch_privacy import ChannelPatchPrivacy
from .channel_patch_providers import ChannelPatchProviders
from .channel_patch_style_type_0 import ChannelPatchStyleType0
from .channel_providers import ChannelProviders
from .check_result import CheckResult
from .check_result_status import CheckResultStatus
from .checkout_in import CheckoutIn
from .connect_in import ConnectIn
from .connect_out import ConnectOut
from .connection import Connection
from .connection_page import ConnectionPage
from .cost_entry_out import CostEntryOut
from .cost_entry_out_detail import CostEntryOutDetail
from .costs import Costs
from .costs_by_provider import CostsByProvider
from .costs_by_stage import CostsByStage
from .credential_in import CredentialIn
from .credential_in_value_type_1 import CredentialInValueType1
from .credential_list import CredentialList
from .credential_out import CredentialOut
from .credential_out_name import CredentialOutName
from .credential_out_source_type_0 import CredentialOutSourceType0
from .credential_out_status_type_0 import CredentialOutStatusType0
from .database_version import DatabaseVersion
from .event_out import EventOut
from .event_out_data import EventOutData
from .event_type import EventType
from .event_types import EventTypes
from .export_dataset import ExportDataset
from .export_format import ExportFormat
from .health import Health
from .ideas_in import IdeasIn
from .ideas_out import IdeasOut
from .job import Job
from .jobs import Jobs
from .list_videos_status_type_0 import ListVideosStatusType0
from .login_in import LoginIn
from .logout_in import LogoutIn
from .message_out import MessageOut
from .message_out_payload import MessageOutPayload
from .message_page import MessagePage
from .method_out import MethodOut
from .order_in import OrderIn
from .password_change import PasswordChange
from .paste_in import PasteIn
from .problem import Problem
from .problem_field import ProblemField
from .profile_patch import ProfilePatch
from .project import Project
from .project_in import ProjectIn
from .project_in_quota_buckets import ProjectInQuotaBuckets
from .project_page import ProjectPage
from .project_patch import ProjectPatch
from .project_patch_quota_buckets import ProjectPatchQuotaBuckets
from .project_quota_buckets import ProjectQuotaBuckets
from .published_in import PublishedIn
from .publishing_out import PublishingOut
from .publishing_out_steps import PublishingOutSteps
from .queue_depth import QueueDepth
from .queue_depth_stages import QueueDepthStages
from .queue_depth_stages_additional_property import QueueDepthStagesAdditionalProperty
from .queue_depth_videos import QueueDepthVideos
from .queue_depth_waiting import QueueDepthWaiting
from .quota_day_out import QuotaDayOut
from .quota_out import QuotaOut
from .readiness import Readiness
from .readiness_status import ReadinessStatus
from .received import Received
from .redirect_out import RedirectOut
from .refresh_in import RefreshIn
from .reject_in import RejectIn
from .remove_credential_name import RemoveCredentialName
from .review_check_out import ReviewCheckOut
from .review_check_out_figures import ReviewCheckOutFigures
from .review_check_out_outcome import ReviewCheckOutOutcome
from .review_out import ReviewOut
from .review_out_verdict import ReviewOutVerdict
from .set_credential_name import SetCredentialName
from .slots import Slots
from .slots_running_item import SlotsRunningItem
from .slots_slots import SlotsSlots
from .slots_telemetry import SlotsTelemetry
from .stage_out import StageOut
from .standing import Standing
from .standing_plans import StandingPlans
from .standing_plans_additional_property import StandingPlansAdditionalProperty
from .statistics_out import StatisticsOut
from .token_pair import TokenPair
from .user_in import UserIn
from .user_in_role import UserInRole
from .user_out import UserOut
from .user_out_role import UserOutRole
from .user_page import UserPage
from .user_patch import UserPatch
from .user_patch_role_type_0 import UserPatchRoleType0
from .version import Version
from .version_libraries import VersionLibraries
from .video_artifact_kind import VideoArtifactKind
from .video_batch import VideoBatch
from .video_detail import VideoDetail
from .video_in import VideoIn
from .video_in_format_type_0 import VideoInFormatType0
from .video_out import VideoOut
from .video_page import VideoPage
from .video_patch import VideoPatch
from .webhook_created import WebhookCreated
from .webhook_in import WebhookIn
from .webhook_out import WebhookOut
from .webhook_page import WebhookPage
from .webhook_patch import WebhookPatch

__all__ = (
    "Analytics",
    "AnalyticsChannel",
    "AnalyticsDay",
    "AnalyticsStage",
    "AnalyticsTally",
    "ApiKeyCreated",
    "ApiKeyCreatedScopesItem",
    "ApiKeyIn",
    "ApiKeyInScopesItem",
    "ApiKeyOut",
    "ApiKeyOutScopesItem",
    "ApiKeyPage",
    "ArtifactOut",
    "ArtifactOutKind",
    "AttemptOut",
    "Backlog",
    "BacklogIn",
    "BacklogTopic",
    "BatchIn",
    "BatchInFormatType0",
    "BatchInItemsItem",
    "Boxes",
    "BoxOut",
    "BucketOut",
    "Channel",
    "ChannelIn",
    "ChannelInFormat",
    "ChannelInNiche",
    "ChannelInPrivacy",
    "ChannelInProviders",
    "ChannelInStyleType0",
    "ChannelPage",
    "ChannelPatch",
    "ChannelPatchFormat",
    "ChannelPatchNiche",
    "ChannelPatchPrivacy",
    "ChannelPatchProviders",
    "ChannelPatchStyleType0",
    "ChannelProviders",
    "CheckoutIn",
    "CheckResult",
    "CheckResultStatus",
    "ConnectIn",
    "Connection",
    "ConnectionPage",
    "ConnectOut",
    "CostEntryOut",
    "CostEntryOutDetail",
    "Costs",
    "CostsByProvider",
    "CostsByStage",
    "CredentialIn",
    "CredentialInValueType1",
    "CredentialList",
    "CredentialOut",
    "CredentialOutName",
    "CredentialOutSourceType0",
    "CredentialOutStatusType0",
    "DatabaseVersion",
    "EventOut",
    "EventOutData",
    "EventType",
    "EventTypes",
    "ExportDataset",
    "ExportFormat",
    "Health",
    "IdeasIn",
    "IdeasOut",
    "Job",
    "Jobs",
    "ListVideosStatusType0",
    "LoginIn",
    "LogoutIn",
    "MessageOut",
    "MessageOutPayload",
    "MessagePage",
    "MethodOut",
    "OrderIn",
    "PasswordChange",
    "PasteIn",
    "Problem",
    "ProblemField",
    "ProfilePatch",
    "Project",
    "ProjectIn",
    "ProjectInQuotaBuckets",
    "ProjectPage",
    "ProjectPatch",
    "ProjectPatchQuotaBuckets",
    "ProjectQuotaBuckets",
    "PublishedIn",
    "PublishingOut",
    "PublishingOutSteps",
    "QueueDepth",
    "QueueDepthStages",
    "QueueDepthStagesAdditionalProperty",
    "QueueDepthVideos",
    "QueueDepthWaiting",
    "QuotaDayOut",
    "QuotaOut",
    "Readiness",
    "ReadinessStatus",
    "Received",
    "RedirectOut",
    "RefreshIn",
    "RejectIn",
    "RemoveCredentialName",
    "ReviewCheckOut",
    "ReviewCheckOutFigures",
    "ReviewCheckOutOutcome",
    "ReviewOut",
    "ReviewOutVerdict",
    "SetCredentialName",
    "Slots",
    "SlotsRunningItem",
    "SlotsSlots",
    "SlotsTelemetry",
    "StageOut",
    "Standing",
    "StandingPlans",
    "StandingPlansAdditionalProperty",
    "StatisticsOut",
    "TokenPair",
    "UserIn",
    "UserInRole",
    "UserOut",
    "UserOutRole",
    "UserPage",
    "UserPatch",
    "UserPatchRoleType0",
    "Version",
    "VersionLibraries",
    "VideoArtifactKind",
    "VideoBatch",
    "VideoDetail",
    "VideoIn",
    "VideoInFormatType0",
    "VideoOut",
    "VideoPage",
    "VideoPatch",
    "WebhookCreated",
    "WebhookIn",
    "WebhookOut",
    "WebhookPage",
    "WebhookPatch",
)
