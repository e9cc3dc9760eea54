/**
 * The stack's configuration and what every concern and the CLI derive from it: physical names, tags, port-forwarding
 * destinations, the requests ecs-exec sends. Plain values: nothing here loads Pulumi (parseExecConfig and
 * loadExecConfig, which do, are in pulumi.ts).
 */
export { cidrBlock, cidrContains, cidrContainsBlock } from "./cidr";
export {
    ECS_TAG_VALUE_MAX_LENGTH,
    EXEC_PLATFORM_VERSION,
    isEcsTagValue,
    OWNER_TAG_KEY,
    REASON_MIN_LENGTH,
    REASON_TAG_KEY,
    reasonProblem,
    runTaskCommand,
    runTaskRequest,
    TAG_VALUE_WHITESPACE,
} from "./commands";
export type { ExecRunTaskRequest } from "./commands";
export {
    CONFIG_KEYS,
    CONFIG_NAMESPACE,
    ConfigError,
    ENVIRONMENT_MAX_LENGTH,
    FARGATE_MEMORY_BY_CPU,
    LOG_RETENTION_DAYS,
    REGION_KEY,
} from "./config";
export type {
    CloudTrailMode,
    ConfigProblem,
    CpuArchitecture,
    ExecConfig,
    NetworkConfig,
    RawConfig,
    VpcEndpointsMode,
} from "./config";
export { exampleValues } from "./examples";
export { parseImageReference } from "./image";
export type { ImageReference } from "./image";
export {
    alertAlarmName,
    alertRuleName,
    AUDIT_CHAIN_ALERT_IDS,
    AUDIT_CHAIN_GROUPS,
    AUDIT_WATCH_ALERT_IDS,
    deadLetterAlarmName,
    EXEC_TASK_TAG,
    execNames,
    stackTags,
    trailBucketName,
    TRANSCRIPT_KEY_PREFIX,
    transcriptBucketName,
    transcriptKey,
    watchedNamePrefix,
} from "./names";
export type { AuditChainGroup, ExecNames } from "./names";
export { ecsSessionTarget, ecsSessionTargetPrefix, FORWARDING_DOCUMENT, forwardingRequest } from "./portForwarding";
export type { ForwardingTarget, PortForwardingDestination } from "./portForwarding";
