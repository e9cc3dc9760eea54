/** The audit chain's Pulumi component. */
export { ExecAudit } from "./execAudit";
export type { AuditAlert, ExecAuditArgs, WatchedLinks } from "./execAudit";
