/**
 * No SSH path next to exec: no ingress on port 22 in any form the provider offers, nothing open to the internet on
 * the exec tasks' security group, no key pairs, no instance on a public IP to jump through.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { execSecurityGroups } from "../lib/exec";
import { TYPES } from "../lib/types";
import { forStack, forTypes } from "../lib/rule";
import { Resource } from "../lib/stack";
import { Fields, isFields, isUnknown, listOf, Value } from "../lib/values";

const SSH_PORT = 22;
const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** An ingress permission in one shape, whatever resource or block it comes from. */
interface Ingress {
    protocol: Value;
    fromPort: Value;
    toPort: Value;
    /** Every CIDR it admits (IPv4 and IPv6). */
    cidrs: Value[];
}

/** Whether an ingress admits TCP port 22: protocol all (-1) or TCP with 22 in its range. */
function admitsSsh(ingress: Ingress): boolean {
    const protocol = String(ingress.protocol).toLowerCase();
    if (protocol === "-1" || protocol === "all") {
        return true;
    }
    const { fromPort, toPort } = ingress;
    return (
        (protocol === "tcp" || protocol === "6") &&
        typeof fromPort === "number" &&
        typeof toPort === "number" &&
        fromPort <= SSH_PORT &&
        SSH_PORT <= toPort
    );
}

function cidrsOf(...lists: Value[]): Value[] {
    return lists.flatMap((list) => {
        const values = listOf(list);
        return isUnknown(values) ? [] : values;
    });
}

/** The ingress permissions a security group, a security group rule or a VPC ingress rule declares. */
function ingressOf(resource: Resource): Ingress[] {
    const p = resource.props;
    switch (resource.type) {
        case TYPES.securityGroup: {
            const blocks = listOf(p.ingress);
            return isUnknown(blocks)
                ? []
                : blocks.filter(isFields).map((b: Fields) => ({
                      protocol: b.protocol,
                      fromPort: b.fromPort,
                      toPort: b.toPort,
                      cidrs: cidrsOf(b.cidrBlocks, b.ipv6CidrBlocks),
                  }));
        }
        case TYPES.securityGroupRule:
            return p.type === "ingress"
                ? [{ protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort, cidrs: cidrsOf(p.cidrBlocks, p.ipv6CidrBlocks) }]
                : [];
        case TYPES.securityGroupIngressRule:
            return [{ protocol: p.ipProtocol, fromPort: p.fromPort, toPort: p.toPort, cidrs: cidrsOf(p.cidrIpv4, p.cidrIpv6) }];
        default:
            return [];
    }
}

const INGRESS_TYPES = [TYPES.securityGroup, TYPES.securityGroupRule, TYPES.securityGroupIngressRule];

export const noSshIngress: ResourceValidationPolicy = {
    name: "no-ssh-ingress",
    description: "No security group admits SSH (TCP 22, or all traffic), from anywhere: exec replaces SSH.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove the ingress on port 22 (or protocol -1); open a shell with ECS Exec (or SSM Session Manager) instead.",
    validateResource: forTypes(INGRESS_TYPES, (resource, report) => {
        if (ingressOf(resource).some(admitsSsh)) {
            report("ingress admits SSH (port 22)");
        }
    }),
};

export const execSecurityGroupNoPublicIngress: StackValidationPolicy = {
    name: "exec-security-group-no-public-ingress",
    description:
        "The exec tasks' security group (tagged ecs-exec:purpose = exec-task, or used by a service with exec on) admits " +
        "nothing from 0.0.0.0/0 or ::/0, inline or through separate rules.",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove the rule: exec tasks need no inbound traffic at all; sessions go out over HTTPS to SSM.",
    validateStack: forStack((stack, report) => {
        for (const group of execSecurityGroups(stack)) {
            const rules = stack.referring(group, [TYPES.securityGroupRule, TYPES.securityGroupIngressRule], "securityGroupId");
            for (const source of [group, ...rules]) {
                if (ingressOf(source).some((ingress) => ingress.cidrs.some((cidr) => ANYWHERE.includes(String(cidr))))) {
                    report(`ingress from the internet to the exec security group ${group.name}`, source);
                }
            }
        }
    }),
};

export const noKeyPairs: ResourceValidationPolicy = {
    name: "no-key-pairs",
    description: "No EC2 key pairs: nobody needs an SSH key where exec gives a logged shell.",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove the key pair; use ECS Exec for containers and SSM Session Manager for instances.",
    validateResource: forTypes([TYPES.keyPair], (_, report) => report("EC2 key pair")),
};

export const noPublicInstances: ResourceValidationPolicy = {
    name: "no-public-instances",
    description: "No EC2 instance on a public IP (a potential jump host): associatePublicIpAddress or an Elastic IP.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Keep instances in private subnets without public or Elastic IPs; reach them with SSM Session Manager, and " +
        "containers with ECS Exec. Put public services behind a load balancer.",
    validateResource: forTypes([TYPES.instance, TYPES.eip, TYPES.eipAssociation], (resource, report) => {
        const p = resource.props;
        if (resource.type === TYPES.instance && p.associatePublicIpAddress === true) {
            report("instance with a public IP address");
        }
        // An association's target may be unknown during preview, but that there is one is known.
        if ((resource.type === TYPES.eip && p.instance !== undefined) || (resource.type === TYPES.eipAssociation && p.instanceId !== undefined)) {
            report("Elastic IP associated with an instance");
        }
    }),
};

export const networkRules = [noSshIngress, execSecurityGroupNoPublicIngress, noKeyPairs, noPublicInstances];
