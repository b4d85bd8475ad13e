"""Contains all the data models used in inputs/outputs"""

from .add_topics_backlog import AddTopicsBacklog
from .add_topics_backlog_in import AddTopicsBacklogIn
from .analytics_channel import AnalyticsChannel
from .analytics_day import AnalyticsDay
from .analytics_stage import AnalyticsStage
from .analytics_tally import AnalyticsTally
from .api_key_out import ApiKeyOut
from .api_key_out_scopes_item import ApiKeyOutScopesItem
from .approve_video_out import ApproveVideoOut
from .artifact_out import ArtifactOut
from .artifact_out_kind import ArtifactOutKind
from .attempt_out import AttemptOut
from .backlog_topic import BacklogTopic
from .bucket_out import BucketOut
from .cancel_video_video_out import CancelVideoVideoOut
from .change_password_password_change import ChangePasswordPasswordChange
from .channel import Channel
from .channel_providers import ChannelProviders
from .check_result import CheckResult
from .check_result_status import CheckResultStatus
from .checkout_checkout_in import CheckoutCheckoutIn
from .checkout_redirect_out import CheckoutRedirectOut
from .connect_connect_in import ConnectConnectIn
from .connect_connect_out import ConnectConnectOut
from .connection import Connection
from .cost_entry_out import CostEntryOut
from .cost_entry_out_detail import CostEntryOutDetail
from .costs import Costs
from .costs_by_provider import CostsByProvider
from .costs_by_stage import CostsByStage
from .create_batch_batch_in import CreateBatchBatchIn
from .create_batch_batch_in_format_type_0 import CreateBatchBatchInFormatType0
from .create_batch_batch_in_items_item import CreateBatchBatchInItemsItem
from .create_batch_video_batch import CreateBatchVideoBatch
from .create_channel_channel import CreateChannelChannel
from .create_channel_channel_in import CreateChannelChannelIn
from .create_channel_channel_in_format import CreateChannelChannelInFormat
from .create_channel_channel_in_niche import CreateChannelChannelInNiche
from .create_channel_channel_in_privacy import CreateChannelChannelInPrivacy
from .create_channel_channel_in_providers import CreateChannelChannelInProviders
from .create_channel_channel_in_style_type_0 import CreateChannelChannelInStyleType0
from .create_channel_channel_providers import CreateChannelChannelProviders
from .create_key_api_key_created import CreateKeyApiKeyCreated
from .create_key_api_key_created_scopes_item import CreateKeyApiKeyCreatedScopesItem
from .create_key_api_key_in import CreateKeyApiKeyIn
from .create_key_api_key_in_scopes_item import CreateKeyApiKeyInScopesItem
from .create_project_project import CreateProjectProject
from .create_project_project_in import CreateProjectProjectIn
from .create_project_project_in_quota_buckets import CreateProjectProjectInQuotaBuckets
from .create_project_project_quota_buckets import CreateProjectProjectQuotaBuckets
from .create_user_route_user_in import CreateUserRouteUserIn
from .create_user_route_user_in_role import CreateUserRouteUserInRole
from .create_user_route_user_out import CreateUserRouteUserOut
from .create_user_route_user_out_role import CreateUserRouteUserOutRole
from .create_video_video_in import CreateVideoVideoIn
from .create_video_video_in_format_type_0 import CreateVideoVideoInFormatType0
from .create_video_video_out import CreateVideoVideoOut
from .create_webhook_webhook_created import CreateWebhookWebhookCreated
from .create_webhook_webhook_in import CreateWebhookWebhookIn
from .credential_out import CredentialOut
from .credential_out_name import CredentialOutName
from .credential_out_source_type_0 import CredentialOutSourceType0
from .credential_out_status_type_0 import CredentialOutStatusType0
from .database_version import DatabaseVersion
from .event_out import EventOut
from .event_out_data import EventOutData
from .event_type import EventType
from .event_types_event_types import EventTypesEventTypes
from .export_dataset import ExportDataset
from .export_format import ExportFormat
from .get_analytics_analytics import GetAnalyticsAnalytics
from .get_backlog_backlog import GetBacklogBacklog
from .get_channel_channel import GetChannelChannel
from .get_channel_channel_providers import GetChannelChannelProviders
from .get_connection_connection import GetConnectionConnection
from .get_costs_costs import GetCostsCosts
from .get_costs_costs_by_provider import GetCostsCostsByProvider
from .get_costs_costs_by_stage import GetCostsCostsByStage
from .get_key_api_key_out import GetKeyApiKeyOut
from .get_key_api_key_out_scopes_item import GetKeyApiKeyOutScopesItem
from .get_me_user_out import GetMeUserOut
from .get_me_user_out_role import GetMeUserOutRole
from .get_project_project import GetProjectProject
from .get_project_project_quota_buckets import GetProjectProjectQuotaBuckets
from .get_standing_standing import GetStandingStanding
from .get_standing_standing_plans import GetStandingStandingPlans
from .get_standing_standing_plans_additional_property import GetStandingStandingPlansAdditionalProperty
from .get_user_user_out import GetUserUserOut
from .get_user_user_out_role import GetUserUserOutRole
from .get_video_video_detail import GetVideoVideoDetail
from .get_webhook_webhook_out import GetWebhookWebhookOut
from .healthz_health import HealthzHealth
from .ideas_ideas_in import IdeasIdeasIn
from .ideas_ideas_out import IdeasIdeasOut
from .job import Job
from .list_channels_channel_page import ListChannelsChannelPage
from .list_connections_connection_page import ListConnectionsConnectionPage
from .list_credentials_credential_list import ListCredentialsCredentialList
from .list_keys_api_key_page import ListKeysApiKeyPage
from .list_messages_message_page import ListMessagesMessagePage
from .list_projects_project_page import ListProjectsProjectPage
from .list_users_user_page import ListUsersUserPage
from .list_videos_status_type_0 import ListVideosStatusType0
from .list_videos_video_page import ListVideosVideoPage
from .list_webhooks_webhook_page import ListWebhooksWebhookPage
from .login_login_in import LoginLoginIn
from .login_token_pair import LoginTokenPair
from .logout_logout_in import LogoutLogoutIn
from .mark_published_published_in import MarkPublishedPublishedIn
from .mark_published_video_out import MarkPublishedVideoOut
from .message_out import MessageOut
from .message_out_payload import MessageOutPayload
from .method_out import MethodOut
from .oauth_callback_connection import OauthCallbackConnection
from .paste_connection import PasteConnection
from .paste_paste_in import PastePasteIn
from .patch_me_profile_patch import PatchMeProfilePatch
from .patch_me_user_out import PatchMeUserOut
from .patch_me_user_out_role import PatchMeUserOutRole
from .patch_user_user_out import PatchUserUserOut
from .patch_user_user_out_role import PatchUserUserOutRole
from .patch_user_user_patch import PatchUserUserPatch
from .patch_user_user_patch_role_type_0 import PatchUserUserPatchRoleType0
from .portal_redirect_out import PortalRedirectOut
from .problem import Problem
from .problem_field import ProblemField
from .project import Project
from .project_quota_buckets import ProjectQuotaBuckets
from .project_quota_quota_day_out import ProjectQuotaQuotaDayOut
from .publishing_out import PublishingOut
from .publishing_out_steps import PublishingOutSteps
from .quota_out import QuotaOut
from .readyz_readiness import ReadyzReadiness
from .readyz_readiness_status import ReadyzReadinessStatus
from .reconnect_connect_in import ReconnectConnectIn
from .reconnect_connect_out import ReconnectConnectOut
from .refresh_refresh_in import RefreshRefreshIn
from .refresh_token_pair import RefreshTokenPair
from .reject_reject_in import RejectRejectIn
from .reject_video_out import RejectVideoOut
from .remove_credential_name import RemoveCredentialName
from .reorder_backlog import ReorderBacklog
from .reorder_order_in import ReorderOrderIn
from .retry_video_video_out import RetryVideoVideoOut
from .review_check_out import ReviewCheckOut
from .review_check_out_figures import ReviewCheckOutFigures
from .review_check_out_outcome import ReviewCheckOutOutcome
from .review_out import ReviewOut
from .review_out_verdict import ReviewOutVerdict
from .set_credential_credential_in import SetCredentialCredentialIn
from .set_credential_credential_in_value_type_1 import SetCredentialCredentialInValueType1
from .set_credential_credential_out import SetCredentialCredentialOut
from .set_credential_credential_out_name import SetCredentialCredentialOutName
from .set_credential_credential_out_source_type_0 import SetCredentialCredentialOutSourceType0
from .set_credential_credential_out_status_type_0 import SetCredentialCredentialOutStatusType0
from .set_credential_name import SetCredentialName
from .stage_out import StageOut
from .statistics_out import StatisticsOut
from .stripe_webhook_received import StripeWebhookReceived
from .system_jobs_jobs import SystemJobsJobs
from .system_queue_queue_depth import SystemQueueQueueDepth
from .system_queue_queue_depth_stages import SystemQueueQueueDepthStages
from .system_queue_queue_depth_stages_additional_property import SystemQueueQueueDepthStagesAdditionalProperty
from .system_queue_queue_depth_videos import SystemQueueQueueDepthVideos
from .system_queue_queue_depth_waiting import SystemQueueQueueDepthWaiting
from .system_slots_slots import SystemSlotsSlots
from .system_slots_slots_running_item import SystemSlotsSlotsRunningItem
from .system_slots_slots_slots import SystemSlotsSlotsSlots
from .system_slots_slots_telemetry import SystemSlotsSlotsTelemetry
from .system_version_version import SystemVersionVersion
from .system_version_version_libraries import SystemVersionVersionLibraries
from .update_channel_channel import UpdateChannelChannel
from .update_channel_channel_patch import UpdateChannelChannelPatch
from .update_channel_channel_patch_format import UpdateChannelChannelPatchFormat
from .update_channel_channel_patch_niche import UpdateChannelChannelPatchNiche
from .update_channel_channel_patch_privacy import UpdateChannelChannelPatchPrivacy
from .update_channel_channel_patch_providers import UpdateChannelChannelPatchProviders
from .update_channel_channel_patch_style_type_0 import UpdateChannelChannelPatchStyleType0
from .update_channel_channel_providers import UpdateChannelChannelProviders
from .update_project_project import UpdateProjectProject
from .update_project_project_patch import UpdateProjectProjectPatch
from .update_project_project_patch_quota_buckets import UpdateProjectProjectPatchQuotaBuckets
from .update_project_project_quota_buckets import UpdateProjectProjectQuotaBuckets
from .update_video_video_out import UpdateVideoVideoOut
from .update_video_video_patch import UpdateVideoVideoPatch
from .update_webhook_webhook_out import UpdateWebhookWebhookOut
from .update_webhook_webhook_patch import UpdateWebhookWebhookPatch
from .user_out import UserOut
from .user_out_role import UserOutRole
from .video_artifact_kind import VideoArtifactKind
from .video_out import VideoOut
from .webhook_out import WebhookOut

__all__ = (
    "AddTopicsBacklog",
    "AddTopicsBacklogIn",
    "AnalyticsChannel",
    "AnalyticsDay",
    "AnalyticsStage",
    "AnalyticsTally",
    "ApiKeyOut",
    "ApiKeyOutScopesItem",
    "ApproveVideoOut",
    "ArtifactOut",
    "ArtifactOutKind",
    "AttemptOut",
    "BacklogTopic",
    "BucketOut",
    "CancelVideoVideoOut",
    "ChangePasswordPasswordChange",
    "Channel",
    "ChannelProviders",
    "CheckoutCheckoutIn",
    "CheckoutRedirectOut",
    "CheckResult",
    "CheckResultStatus",
    "ConnectConnectIn",
    "ConnectConnectOut",
    "Connection",
    "CostEntryOut",
    "CostEntryOutDetail",
    "Costs",
    "CostsByProvider",
    "CostsByStage",
    "CreateBatchBatchIn",
    "CreateBatchBatchInFormatType0",
    "CreateBatchBatchInItemsItem",
    "CreateBatchVideoBatch",
    "CreateChannelChannel",
    "CreateChannelChannelIn",
    "CreateChannelChannelInFormat",
    "CreateChannelChannelInNiche",
    "CreateChannelChannelInPrivacy",
    "CreateChannelChannelInProviders",
    "CreateChannelChannelInStyleType0",
    "CreateChannelChannelProviders",
    "CreateKeyApiKeyCreated",
    "CreateKeyApiKeyCreatedScopesItem",
    "CreateKeyApiKeyIn",
    "CreateKeyApiKeyInScopesItem",
    "CreateProjectProject",
    "CreateProjectProjectIn",
    "CreateProjectProjectInQuotaBuckets",
    "CreateProjectProjectQuotaBuckets",
    "CreateUserRouteUserIn",
    "CreateUserRouteUserInRole",
    "CreateUserRouteUserOut",
    "CreateUserRouteUserOutRole",
    "CreateVideoVideoIn",
    "CreateVideoVideoInFormatType0",
    "CreateVideoVideoOut",
    "CreateWebhookWebhookCreated",
    "CreateWebhookWebhookIn",
    "CredentialOut",
    "CredentialOutName",
    "CredentialOutSourceType0",
    "CredentialOutStatusType0",
    "DatabaseVersion",
    "EventOut",
    "EventOutData",
    "EventType",
    "EventTypesEventTypes",
    "ExportDataset",
    "ExportFormat",
    "GetAnalyticsAnalytics",
    "GetBacklogBacklog",
    "GetChannelChannel",
    "GetChannelChannelProviders",
    "GetConnectionConnection",
    "GetCostsCosts",
    "GetCostsCostsByProvider",
    "GetCostsCostsByStage",
    "GetKeyApiKeyOut",
    "GetKeyApiKeyOutScopesItem",
    "GetMeUserOut",
    "GetMeUserOutRole",
    "GetProjectProject",
    "GetProjectProjectQuotaBuckets",
    "GetStandingStanding",
    "GetStandingStandingPlans",
    "GetStandingStandingPlansAdditionalProperty",
    "GetUserUserOut",
    "GetUserUserOutRole",
    "GetVideoVideoDetail",
    "GetWebhookWebhookOut",
    "HealthzHealth",
    "IdeasIdeasIn",
    "IdeasIdeasOut",
    "Job",
    "ListChannelsChannelPage",
    "ListConnectionsConnectionPage",
    "ListCredentialsCredentialList",
    "ListKeysApiKeyPage",
    "ListMessagesMessagePage",
    "ListProjectsProjectPage",
    "ListUsersUserPage",
    "ListVideosStatusType0",
    "ListVideosVideoPage",
    "ListWebhooksWebhookPage",
    "LoginLoginIn",
    "LoginTokenPair",
    "LogoutLogoutIn",
    "MarkPublishedPublishedIn",
    "MarkPublishedVideoOut",
    "MessageOut",
    "MessageOutPayload",
    "MethodOut",
    "OauthCallbackConnection",
    "PasteConnection",
    "PastePasteIn",
    "PatchMeProfilePatch",
    "PatchMeUserOut",
    "PatchMeUserOutRole",
    "PatchUserUserOut",
    "PatchUserUserOutRole",
    "PatchUserUserPatch",
    "PatchUserUserPatchRoleType0",
    "PortalRedirectOut",
    "Problem",
    "ProblemField",
    "Project",
    "ProjectQuotaBuckets",
    "ProjectQuotaQuotaDayOut",
    "PublishingOut",
    "PublishingOutSteps",
    "QuotaOut",
    "ReadyzReadiness",
    "ReadyzReadinessStatus",
    "ReconnectConnectIn",
    "ReconnectConnectOut",
    "RefreshRefreshIn",
    "RefreshTokenPair",
    "RejectRejectIn",
    "RejectVideoOut",
    "RemoveCredentialName",
    "ReorderBacklog",
    "ReorderOrderIn",
    "RetryVideoVideoOut",
    "ReviewCheckOut",
    "ReviewCheckOutFigures",
    "ReviewCheckOutOutcome",
    "ReviewOut",
    "ReviewOutVerdict",
    "SetCredentialCredentialIn",
    "SetCredentialCredentialInValueType1",
    "SetCredentialCredentialOut",
    "SetCredentialCredentialOutName",
    "SetCredentialCredentialOutSourceType0",
    "SetCredentialCredentialOutStatusType0",
    "SetCredentialName",
    "StageOut",
    "StatisticsOut",
    "StripeWebhookReceived",
    "SystemJobsJobs",
    "SystemQueueQueueDepth",
    "SystemQueueQueueDepthStages",
    "SystemQueueQueueDepthStagesAdditionalProperty",
    "SystemQueueQueueDepthVideos",
    "SystemQueueQueueDepthWaiting",
    "SystemSlotsSlots",
    "SystemSlotsSlotsRunningItem",
    "SystemSlotsSlotsSlots",
    "SystemSlotsSlotsTelemetry",
    "SystemVersionVersion",
    "SystemVersionVersionLibraries",
    "UpdateChannelChannel",
    "UpdateChannelChannelPatch",
    "UpdateChannelChannelPatchFormat",
    "UpdateChannelChannelPatchNiche",
    "UpdateChannelChannelPatchPrivacy",
    "UpdateChannelChannelPatchProviders",
    "UpdateChannelChannelPatchStyleType0",
    "UpdateChannelChannelProviders",
    "UpdateProjectProject",
    "UpdateProjectProjectPatch",
    "UpdateProjectProjectPatchQuotaBuckets",
    "UpdateProjectProjectQuotaBuckets",
    "UpdateVideoVideoOut",
    "UpdateVideoVideoPatch",
    "UpdateWebhookWebhookOut",
    "UpdateWebhookWebhookPatch",
    "UserOut",
    "UserOutRole",
    "VideoArtifactKind",
    "VideoOut",
    "WebhookOut",
)
