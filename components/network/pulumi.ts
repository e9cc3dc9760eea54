/** The exec network's Pulumi component. */
export { ExecNetwork, onePerAvailabilityZone } from "./execNetwork";
export type { ExecNetworkArgs } from "./execNetwork";
