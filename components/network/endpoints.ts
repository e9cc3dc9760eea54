/**
 * The VPC endpoints exec tasks need when they have no route to the internet, and the check of a VPC's own endpoints
 * (`vpcEndpoints: existing`): plain functions of what the lookups found.
 */

/**
 * Interface endpoints an exec task needs when it has no route to the internet: Session Manager channels,
 * the image pull (ECR API and registry), CloudWatch Logs (container output and session transcripts) and KMS
 * (the agent decrypts the session data key).
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ssmmessages", "ecr.api", "ecr.dkr", "logs", "kms"] as const;

/**
 * ECR serves image layers from S3: without NAT, through an S3 gateway endpoint on the tasks' route tables (ECR User
 * Guide, "Amazon ECR interface VPC endpoints (AWS PrivateLink)").
 */
export const GATEWAY_ENDPOINT_SERVICE = "s3";

export function endpointServiceName(region: string, service: string): string {
    return `com.amazonaws.${region}.${service}`;
}

/**
 * The route table a subnet uses: the one explicitly associated with it, else the VPC's main route table. EC2 lists
 * only explicit associations under the `association.subnet-id` filter, so a subnet on the main table matches no
 * route table there (terraform-provider-aws internal/service/ec2/vpc_route_table_data_source.go filters on
 * association.subnet-id and fails with "query returned no results" for such a subnet).
 */
export function routeTableOfSubnet(explicitIds: readonly string[], mainIds: readonly string[]): string | undefined {
    return explicitIds[0] ?? mainIds[0];
}

/**
 * The endpoint an interface endpoint's network interface belongs to. EC2 describes such an interface (type
 * `vpc_endpoint`) as "VPC Endpoint Interface vpce-089f2123488812123" (EC2 User Guide, "Requester-managed network
 * interfaces").
 */
export function endpointIdOfInterface(description: string): string | undefined {
    return /\bvpce-[0-9a-f]+\b/.exec(description)?.[0];
}

/** An endpoint of the VPC, as `aws.ec2.getVpcEndpoint` reports it. */
export interface FoundEndpoint {
    id: string;
    serviceName: string;
    privateDnsEnabled: boolean;
    securityGroupIds: string[];
    state: string;
}

export interface ExistingEndpoints {
    vpcId: string;
    region: string;
    /** The VPC's interface endpoints. */
    interfaceEndpoints: FoundEndpoint[];
    /** The route table each exec subnet uses. */
    subnetRouteTables: { subnetId: string; routeTableId: string }[];
    /** Route tables with a route to S3's prefix list: the route an S3 gateway endpoint adds. */
    s3RouteTableIds: string[];
}

export interface EndpointsVerdict {
    /** One line per service exec tasks cannot reach, empty when all is there. */
    problems: string[];
    /** The distinct security groups of the endpoints exec tasks will use: each needs HTTPS from the exec tasks. */
    securityGroupIds: string[];
}

/**
 * Whether exec tasks in these subnets reach every service through the VPC's own endpoints: an available interface
 * endpoint with private DNS for each interface service (without private DNS the service's own name does not resolve
 * to it), and the S3 gateway route on every exec subnet's route table.
 */
export function checkExistingEndpoints(found: ExistingEndpoints): EndpointsVerdict {
    const problems: string[] = [];
    const securityGroupIds = new Set<string>();
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
        const serviceName = endpointServiceName(found.region, service);
        const candidates = found.interfaceEndpoints.filter((e) => e.serviceName === serviceName);
        const usable = candidates.find((e) => e.state.toLowerCase() === "available" && e.privateDnsEnabled);
        if (usable) {
            usable.securityGroupIds.forEach((id) => securityGroupIds.add(id));
            continue;
        }
        const available = candidates.find((e) => e.state.toLowerCase() === "available");
        if (available) {
            problems.push(
                `${serviceName}: endpoint ${available.id} has private DNS off; turn it on ` +
                    `(aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${available.id} --private-dns-enabled)`,
            );
        } else if (candidates.length > 0) {
            problems.push(`${serviceName}: endpoint ${candidates[0].id} is ${candidates[0].state}, not available`);
        } else {
            problems.push(`${serviceName}: no interface endpoint; create one with private DNS`);
        }
    }
    const s3 = endpointServiceName(found.region, GATEWAY_ENDPOINT_SERVICE);
    const subnetsByTable = new Map<string, string[]>();
    for (const { subnetId, routeTableId } of found.subnetRouteTables) {
        if (!found.s3RouteTableIds.includes(routeTableId)) {
            subnetsByTable.set(routeTableId, [...(subnetsByTable.get(routeTableId) ?? []), subnetId]);
        }
    }
    for (const [routeTableId, subnetIds] of subnetsByTable) {
        problems.push(
            `${s3}: no gateway endpoint route in ${routeTableId} (the route table of ${subnetIds.join(", ")}); ` +
                `add ${routeTableId} to the VPC's S3 gateway endpoint, or create one`,
        );
    }
    return { problems, securityGroupIds: [...securityGroupIds].sort() };
}

/** The preview's message: which VPC, every service it lacks, what to do. */
export function formatEndpointProblems(vpcId: string, problems: readonly string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `ecs-exec:vpcEndpoints is existing, but exec tasks cannot reach AWS through the endpoints of VPC ${vpcId} (${count}):`,
        ...problems.map((p) => `  - ${p}`),
        `Add them to ${vpcId}, or set ecs-exec:vpcEndpoints to create if the VPC has none of these endpoints ` +
            "(a second endpoint with private DNS for the same service is refused).",
    ].join("\n");
}
