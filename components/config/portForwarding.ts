/**
 * Port forwarding through your own exec task to the destinations a stack configures (`ecs-exec:portForwarding`):
 * their validation, and the Session Manager request that opens a forwarding session. Plain values; the program, the
 * exec tasks' egress rules (components/network/egressRules.ts), the developer policy, the alerts and `ecs-exec forward` all take
 * the destinations, the document's name and the request's shape from here.
 */
import { cidrBlock, cidrContains, ipv4 } from "./cidr";

/**
 * The AWS-owned Session Manager document that forwards a local port to a host and port the target reaches, not to
 * the target itself. Used by ecsta and ecspresso for ECS tasks; the AWS CLI's `ssm start-session` takes it too.
 */
export const FORWARDING_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost";

/** One destination developers may forward to. */
export interface PortForwardingDestination {
    /** What `ecs-exec forward <name>` calls it. */
    name: string;
    /** The DNS name or IPv4 address the exec task connects to. */
    host: string;
    port: number;
    /** Where the host is: an IPv4 CIDR block, or the destination's security group (exactly one of the two). */
    cidr?: string;
    securityGroupId?: string;
}

/** What `ecs-exec forward` reads from the stack output `portForwarding`. */
export type ForwardingTarget = Pick<PortForwardingDestination, "name" | "host" | "port">;

const FIELDS = ["name", "host", "port", "cidr", "securityGroupId"];
const NAME = /^[a-z0-9-]+$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** RFC 1123 host names: labels of letters, digits and inner hyphens, at most 63 each and 253 in all. */
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const ENTRY_ALLOWED = "{ name, host, port, cidr | securityGroupId }";

function isHost(value: string): boolean {
    if (ipv4(value) !== undefined) {
        return true;
    }
    const labels = value.split(".");
    // A last label of digits only would be a malformed IPv4 address, not a name.
    return value.length <= 253 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** A TCP port, given as a number or (as `pulumi config set --path` may store it) as digits. */
function port(value: unknown): number | undefined {
    const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
    return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** One bad entry of the list: its position, as given, and everything wrong with it. */
export interface DestinationProblem {
    index: number;
    entry: unknown;
    issues: string[];
}

/**
 * Validates the raw config value (a JSON list, as the Pulumi CLI hands it over; unset is an empty list). Returns the
 * destinations, or every bad entry with everything wrong with it; `listProblem` when the value is not a list at all.
 */
export function parsePortForwarding(
    raw: string | undefined,
): { destinations: PortForwardingDestination[]; problems: DestinationProblem[]; listProblem?: string } {
    if (raw === undefined || raw === "") {
        return { destinations: [], problems: [] };
    }
    let items: unknown;
    try {
        items = JSON.parse(raw);
    } catch {
        items = undefined;
    }
    if (!Array.isArray(items)) {
        return { destinations: [], problems: [], listProblem: `a list of ${ENTRY_ALLOWED}` };
    }
    const destinations: PortForwardingDestination[] = [];
    const problems: DestinationProblem[] = [];
    const seen = new Set<string>();
    items.forEach((entry, index) => {
        const issues = entryIssues(entry);
        const name = (entry as { name?: unknown } | null)?.name;
        if (typeof name === "string" && seen.has(name)) {
            issues.push(`name: "${name}" is taken by an earlier entry (names must be unique)`);
        }
        if (typeof name === "string") {
            seen.add(name);
        }
        if (issues.length > 0) {
            problems.push({ index, entry, issues });
            return;
        }
        const e = entry as Record<string, unknown>;
        destinations.push({
            name: e.name as string,
            host: e.host as string,
            port: port(e.port)!,
            ...(e.cidr !== undefined ? { cidr: e.cidr as string } : { securityGroupId: e.securityGroupId as string }),
        });
    });
    return { destinations, problems };
}

function entryIssues(entry: unknown): string[] {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        return [`an object ${ENTRY_ALLOWED}`];
    }
    const e = entry as Record<string, unknown>;
    const issues: string[] = [];
    const unknown = Object.keys(e).filter((key) => !FIELDS.includes(key));
    if (unknown.length > 0) {
        issues.push(`no field ${unknown.join(", ")} (fields: ${FIELDS.join(", ")})`);
    }
    if (typeof e.name !== "string" || !NAME.test(e.name)) {
        issues.push(`name: lowercase letters, digits and hyphens (got ${JSON.stringify(e.name) ?? "nothing"})`);
    }
    if (typeof e.host !== "string" || !isHost(e.host)) {
        issues.push(`host: a DNS name or an IPv4 address (got ${JSON.stringify(e.host) ?? "nothing"})`);
    }
    if (port(e.port) === undefined) {
        issues.push(`port: a whole number from 1 to 65535 (got ${JSON.stringify(e.port) ?? "nothing"})`);
    }
    const hasCidr = e.cidr !== undefined;
    const hasGroup = e.securityGroupId !== undefined;
    if (hasCidr === hasGroup) {
        issues.push(`exactly one of cidr (where the host is) and securityGroupId (the host's security group)${hasCidr ? ", not both" : ""}`);
    } else if (hasCidr && (typeof e.cidr !== "string" || cidrBlock(e.cidr, 1) === undefined)) {
        issues.push(`cidr: an IPv4 CIDR block without host bits, /1 to /32, e.g. 10.0.42.0/24 (got ${JSON.stringify(e.cidr)})`);
    } else if (hasGroup && (typeof e.securityGroupId !== "string" || !SECURITY_GROUP_ID.test(e.securityGroupId))) {
        issues.push(`securityGroupId: a security group id, sg-0123abcd... (got ${JSON.stringify(e.securityGroupId)})`);
    } else if (hasCidr && typeof e.host === "string" && ipv4(e.host) !== undefined && !cidrContains(e.cidr as string, e.host)) {
        // The exec tasks' security group would let no packet through to that address.
        issues.push(`host ${e.host} is outside cidr ${e.cidr as string}`);
    }
    return issues;
}

/** The target Session Manager gives an ECS task's container (the AWS CLI builds the same for execute-command). */
export function ecsSessionTarget(clusterName: string, taskId: string, runtimeId: string): string {
    return `ecs:${clusterName}_${taskId}_${runtimeId}`;
}

/** What every Session Manager target on a task of `clusterName` starts with. */
export function ecsSessionTargetPrefix(clusterName: string): string {
    return `ecs:${clusterName}_`;
}

export interface ForwardingRequest {
    Target: string;
    DocumentName: string;
    Reason?: string;
    Parameters: { host: string[]; portNumber: string[]; localPortNumber: string[] };
}

/**
 * The StartSession request of a forwarding session, members in the order of the SSM API model (which is how the AWS
 * CLI serializes it for session-manager-plugin): Target, DocumentName, Reason, Parameters.
 */
export function forwardingRequest(target: string, destination: ForwardingTarget, localPort: number, reason?: string): ForwardingRequest {
    return {
        Target: target,
        DocumentName: FORWARDING_DOCUMENT,
        ...(reason ? { Reason: reason } : {}),
        Parameters: { host: [destination.host], portNumber: [String(destination.port)], localPortNumber: [String(localPort)] },
    };
}
