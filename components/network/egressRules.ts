/**
 * The exec tasks' egress: HTTPS to AWS, and each port-forwarding destination's port. Plain values; ExecNetwork puts
 * them inline in the tasks' security group.
 */
import type { PortForwardingDestination } from "../config";

/** An egress rule of the exec tasks' security group, as aws.ec2.SecurityGroup takes it inline. */
export interface EgressRule {
    description: string;
    protocol: "tcp";
    fromPort: number;
    toPort: number;
    cidrBlocks?: string[];
    securityGroups?: string[];
    prefixListIds?: string[];
}

/** EC2 caps a rule's description at 255 characters. */
const DESCRIPTION_MAX_LENGTH = 255;

/**
 * Exactly each destination's port to its CIDR block or security group, one rule per distinct pair (EC2 refuses the
 * same rule twice), named after the destinations it serves.
 */
export function forwardingEgressRules(destinations: readonly PortForwardingDestination[]): EgressRule[] {
    const rules = new Map<string, { destination: PortForwardingDestination; names: string[] }>();
    for (const destination of destinations) {
        const key = `${destination.port} ${destination.cidr ?? destination.securityGroupId}`;
        const rule = rules.get(key) ?? { destination, names: [] };
        rule.names.push(destination.name);
        rules.set(key, rule);
    }
    return [...rules.values()].map(({ destination: { port, cidr, securityGroupId }, names }) => {
        const named = `ecs-exec forward ${names.join(", ")}`;
        const description = named.length <= DESCRIPTION_MAX_LENGTH ? named : `ecs-exec forward: ${names.length} destinations`;
        return {
            description,
            protocol: "tcp",
            fromPort: port,
            toPort: port,
            ...(cidr !== undefined ? { cidrBlocks: [cidr] } : { securityGroups: [securityGroupId!] }),
        };
    });
}

/**
 * Where exec tasks may reach AWS over HTTPS. Through VPC endpoints (`vpcEndpoints` create or existing): the endpoints'
 * security groups and S3's prefix list (its gateway endpoint: image layers and the transcripts' bucket), nothing
 * else. Without endpoints, through a NAT or an internet gateway: anywhere, since AWS's addresses are not the stack's to
 * list.
 */
export function httpsEgressRules(endpoints?: { endpointSecurityGroupIds: string[]; s3PrefixListId: string }): EgressRule[] {
    const https = { protocol: "tcp" as const, fromPort: 443, toPort: 443 };
    if (endpoints === undefined) {
        return [{ description: "HTTPS to AWS APIs (through NAT or the internet gateway)", ...https, cidrBlocks: ["0.0.0.0/0"] }];
    }
    return [
        ...(endpoints.endpointSecurityGroupIds.length > 0
            ? [{ description: "HTTPS to the VPC endpoints (SSM, ECR, logs, KMS)", ...https, securityGroups: endpoints.endpointSecurityGroupIds }]
            : []),
        { description: "HTTPS to S3 through its gateway endpoint", ...https, prefixListIds: [endpoints.s3PrefixListId] },
    ];
}
