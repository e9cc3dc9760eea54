/**
 * Whether exec tasks in the stack's subnets reach what a session needs over HTTPS: plain functions of what EC2
 * describes. Each service is reached either through an interface endpoint of the VPC with private DNS (which then
 * answers for the service's own name in the whole VPC, whether or not the subnet also has a way out), or over the
 * internet: an internet gateway with a public IP on the task, or a NAT gateway. Image layers come from S3: through
 * the S3 gateway endpoint on the subnet's route table, or over the internet.
 *
 * Sources: ECS Developer Guide, "Using Amazon ECS Exec" (ssmmessages, and logs and kms with session logging and
 * encryption); ECR User Guide, "Amazon ECR interface VPC endpoints" (ecr.api, ecr.dkr, and S3 for the layers);
 * VPC User Guide, "DNS attributes for your VPC" (private DNS of interface endpoints needs enableDnsSupport and
 * enableDnsHostnames), "Control subnet traffic with network access control lists" (stateless: the replies need an
 * inbound rule for ephemeral ports 1024-65535, rules evaluated in order of their number, first match decides).
 */
import { cidrContainsBlock } from "../../components/cidr";
import { endpointServiceName, GATEWAY_ENDPOINT_SERVICE, INTERFACE_ENDPOINT_SERVICES } from "../../components/endpoints";
import { parseImageReference } from "../../components/image";
import { Finding, pass } from "./check";

/** A security group rule (IpPermission), one direction. */
export interface Permission {
    /** "-1" (all), "tcp" or "6", ... */
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrs: string[];
    prefixLists: string[];
    groups: string[];
}

export interface SecurityGroupFacts {
    id: string;
    ingress: Permission[];
    egress: Permission[];
}

export interface RouteFacts {
    destinationCidr?: string;
    prefixList?: string;
    /** igw-..., nat-..., vpce-..., local, ... */
    target: string;
    /** "active" or "blackhole". */
    state: string;
}

export interface NaclEntry {
    ruleNumber: number;
    egress: boolean;
    /** "-1" or a protocol number ("6" is TCP). */
    protocol: string;
    allow: boolean;
    cidr?: string;
    fromPort?: number;
    toPort?: number;
}

export interface SubnetFacts {
    id: string;
    cidr: string;
    routeTableId: string;
    routes: RouteFacts[];
    naclId: string;
    nacl: NaclEntry[];
}

export interface EndpointFacts {
    id: string;
    type: string;
    serviceName: string;
    state: string;
    privateDns: boolean;
    securityGroupIds: string[];
    routeTableIds: string[];
}

export interface NetworkFacts {
    region: string;
    assignPublicIp: boolean;
    /** The exec container's image, when the task definition could be read. */
    image?: string;
    vpcId: string;
    vpcCidrs: string[];
    dnsSupport: boolean;
    dnsHostnames: boolean;
    subnets: SubnetFacts[];
    endpoints: EndpointFacts[];
    execGroup: SecurityGroupFacts;
    /** The endpoints' security groups, by id. */
    groups: Map<string, SecurityGroupFacts>;
}

const ANYWHERE = "0.0.0.0/0";
const HTTPS = 443;
const EPHEMERAL = [1024, 65535] as const;

const isTcp = (protocol: string) => protocol === "-1" || protocol === "tcp" || protocol === "6";
const coversPort = (p: { protocol: string; fromPort?: number; toPort?: number }, port: number) =>
    isTcp(p.protocol) && (p.protocol === "-1" || p.fromPort === undefined || (p.fromPort <= port && port <= (p.toPort ?? p.fromPort)));

/** Where a packet goes: a CIDR block, and the security groups and prefix lists that name it. */
interface Destination {
    cidr: string;
    groups?: string[];
    prefixList?: string;
}

function groupAllows(permissions: Permission[], to: Destination): boolean {
    return permissions.some(
        (p) =>
            coversPort(p, HTTPS) &&
            (p.cidrs.some((c) => cidrContainsBlock(c, to.cidr)) ||
                (to.groups ?? []).some((g) => p.groups.includes(g)) ||
                (to.prefixList !== undefined && p.prefixLists.includes(to.prefixList))),
    );
}

/** The NACL's verdict on TCP to `ports` of `cidr` (egress) or from it (ingress): the first rule that applies decides. */
function naclAllows(entries: NaclEntry[], egress: boolean, cidr: string, ports: readonly [number, number]): boolean {
    const rules = entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
    for (const rule of rules) {
        const overlaps =
            rule.protocol === "-1" ||
            (rule.protocol === "6" && (rule.fromPort ?? 0) <= ports[1] && ports[0] <= (rule.toPort ?? 65535));
        if (!overlaps || rule.cidr === undefined || !cidrContainsBlock(rule.cidr, cidr)) {
            continue;
        }
        const whole = rule.protocol === "-1" || ((rule.fromPort ?? 0) <= ports[0] && ports[1] <= (rule.toPort ?? 65535));
        return rule.allow && whole;
    }
    return false;
}

interface Problem {
    detail: string;
    fix: string;
}

/** The way out of a subnet to the internet, if any. */
function internetPath(subnet: SubnetFacts, assignPublicIp: boolean): { via?: string; why: string } {
    const defaults = subnet.routes.filter((r) => r.destinationCidr === ANYWHERE);
    const active = defaults.filter((r) => r.state === "active");
    const nat = active.find((r) => r.target.startsWith("nat-"));
    if (nat) {
        return { via: `NAT gateway ${nat.target}`, why: "" };
    }
    const igw = active.find((r) => r.target.startsWith("igw-"));
    if (igw && assignPublicIp) {
        return { via: `internet gateway ${igw.target} with a public IP`, why: "" };
    }
    if (igw) {
        return { why: `its route to ${igw.target} needs a public IP on the task, and assignPublicIp is false` };
    }
    const dead = defaults.find((r) => r.state !== "active");
    return { why: dead ? `its default route to ${dead.target} is a ${dead.state}` : `route table ${subnet.routeTableId} has no default route` };
}

/** The judgement: every needed service reachable from every exec subnet, or what stands in the way. */
export function judgeNetwork(f: NetworkFacts): Finding {
    const problems: Problem[] = [];
    const vpcCidr = f.vpcCidrs[0];
    if (!f.dnsSupport) {
        problems.push({
            detail: `VPC ${f.vpcId} has DNS resolution off, so no AWS service name resolves`,
            fix: `aws ec2 modify-vpc-attribute --vpc-id ${f.vpcId} --enable-dns-support`,
        });
    }
    const image = f.image ? parseImageReference(f.image) : undefined;
    const ecrHere = image?.ecr?.region === f.region;
    const interfaceServices = INTERFACE_ENDPOINT_SERVICES.filter((s) => ecrHere || !s.startsWith("ecr."));
    const usableEndpoint = (service: string) =>
        f.endpoints.find(
            (e) =>
                e.type === "Interface" &&
                e.serviceName === endpointServiceName(f.region, service) &&
                e.state.toLowerCase() === "available" &&
                e.privateDns,
        );
    const privateDnsWorks = f.dnsSupport && f.dnsHostnames;
    const summary = new Map<string, Set<string>>();
    const via = (what: string, service: string) => summary.set(what, (summary.get(what) ?? new Set()).add(service));

    for (const subnet of f.subnets) {
        const out = internetPath(subnet, f.assignPublicIp);
        const overInternet = (service: string) => {
            if (!out.via) {
                problems.push({
                    detail: `${subnet.id} cannot reach ${service}: no interface endpoint for it, and no way out (${out.why})`,
                    fix:
                        "Give the subnets a way to AWS: ecs-exec:vpcEndpoints create (or existing endpoints), a NAT gateway, or " +
                        "ecs-exec:assignPublicIp true with a route to an internet gateway; then pulumi up.",
                });
                return;
            }
            via(out.via, service);
            if (!groupAllows(f.execGroup.egress, { cidr: ANYWHERE })) {
                problems.push({
                    detail: `security group ${f.execGroup.id} does not allow TCP 443 out to 0.0.0.0/0, which ${service} needs over the ${out.via}`,
                    fix: "pulumi up restores the exec security group's egress (TCP 443 to 0.0.0.0/0).",
                });
            }
            naclProblems(subnet, ANYWHERE, service);
        };
        const naclProblems = (s: SubnetFacts, cidr: string, service: string) => {
            if (!naclAllows(s.nacl, true, cidr, [HTTPS, HTTPS])) {
                problems.push({
                    detail: `network ACL ${s.naclId} of ${s.id} does not allow TCP 443 out to ${cidr} (${service})`,
                    fix: `Allow outbound TCP 443 to ${cidr} in ${s.naclId}.`,
                });
            }
            if (!naclAllows(s.nacl, false, cidr, EPHEMERAL)) {
                problems.push({
                    detail: `network ACL ${s.naclId} of ${s.id} does not allow the replies in: TCP 1024-65535 from ${cidr} (${service})`,
                    fix: `Allow inbound TCP 1024-65535 from ${cidr} in ${s.naclId} (ACLs are stateless).`,
                });
            }
        };

        for (const service of interfaceServices) {
            const endpoint = usableEndpoint(service);
            if (!endpoint || !privateDnsWorks) {
                overInternet(service);
                continue;
            }
            // Private DNS sends every request for the service's name to the endpoint, whatever the subnet's routes.
            via("interface endpoints (private DNS)", service);
            if (!groupAllows(f.execGroup.egress, { cidr: vpcCidr, groups: endpoint.securityGroupIds })) {
                problems.push({
                    detail: `security group ${f.execGroup.id} does not allow TCP 443 out to endpoint ${endpoint.id} (${service})`,
                    fix: "pulumi up restores the exec security group's egress (TCP 443).",
                });
            }
            const admitted = endpoint.securityGroupIds.some((id) => {
                const group = f.groups.get(id);
                return group !== undefined && groupAllows(group.ingress, { cidr: subnet.cidr, groups: [f.execGroup.id] });
            });
            if (!admitted) {
                problems.push({
                    detail: `endpoint ${endpoint.id} (${service}) does not admit TCP 443 from ${f.execGroup.id}: its security groups ${endpoint.securityGroupIds.join(", ")} lack the rule`,
                    fix: `Add an inbound rule TCP 443 from ${f.execGroup.id} to ${endpoint.securityGroupIds[0]} (pulumi up adds it with vpcEndpoints: existing; see docs/operators.md, First deploy).`,
                });
            }
            naclProblems(subnet, vpcCidr, service);
        }

        if (ecrHere) {
            const gateway = f.endpoints.find(
                (e) =>
                    e.type === "Gateway" &&
                    e.serviceName === endpointServiceName(f.region, GATEWAY_ENDPOINT_SERVICE) &&
                    e.state.toLowerCase() === "available" &&
                    e.routeTableIds.includes(subnet.routeTableId),
            );
            const route = gateway && subnet.routes.find((r) => r.target === gateway.id && r.prefixList !== undefined);
            if (gateway && route) {
                via("S3 gateway endpoint", "s3");
                if (!groupAllows(f.execGroup.egress, { cidr: ANYWHERE, prefixList: route.prefixList })) {
                    problems.push({
                        detail: `security group ${f.execGroup.id} does not allow TCP 443 out to S3 (${route.prefixList})`,
                        fix: "pulumi up restores the exec security group's egress (TCP 443).",
                    });
                }
                naclProblems(subnet, ANYWHERE, "s3");
            } else {
                overInternet("s3 (image layers)");
            }
        } else if (image) {
            overInternet(`the image registry ${image.registry ?? "docker.io"}`);
        }
    }
    if (problems.length > 0) {
        const unique = [...new Map(problems.map((p) => [p.detail, p])).values()];
        const fixes = [...new Set(unique.map((p) => p.fix))];
        return { status: "fail", detail: unique.map((p) => p.detail).join("; "), fix: fixes.join(" ") };
    }
    const paths = [...summary].map(([path, services]) => `${[...services].join(", ")} through the ${path}`);
    return pass(`${f.subnets.map((s) => s.id).join(", ")} reach ${paths.join("; ")}; TCP 443 allowed out`);
}
