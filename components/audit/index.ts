/** The audit chain as plain values: the alerts' definitions, their delivery, the audit documents. */
export { ALERT_RETRY_POLICY, UNDELIVERED_METRICS } from "./alertDelivery";
export { alertsCovering, EXECUTE_COMMAND_CALLS, executeCommandAlerts } from "./alerts";
export type { AlertDefinition, EventPattern, PatternFilter } from "./alerts";
export { auditChainAlerts, auditWatchAlerts } from "./auditWatch";
export {
    startSessionAlerts,
    startSessionCalls,
    UNLISTED_FORWARDING_ALERT_ID,
    unlistedForwardingAlert,
} from "./forwardAlerts";
export { RUN_TASK_NETWORK_ALERT_ID, runTaskAlerts, runTaskNetworkAlert } from "./runTaskAlerts";
