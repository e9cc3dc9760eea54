/** The session's Pulumi components: logging, cluster and exec task. */
export { ExecCluster } from "./execCluster";
export type { ExecClusterArgs } from "./execCluster";
export { ExecTask } from "./execTask";
export type { ExecTaskArgs } from "./execTask";
export { SessionLogging } from "./sessionLogging";
export type { SessionLoggingArgs } from "./sessionLogging";
