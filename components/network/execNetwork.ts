import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import { EXEC_TASK_TAG, NetworkConfig, PortForwardingDestination, VpcEndpointsMode } from "../config";
import {
    checkExistingEndpoints,
    endpointIdOfInterface,
    endpointServiceName,
    EndpointsVerdict,
    formatEndpointProblems,
    FoundEndpoint,
    GATEWAY_ENDPOINT_SERVICE,
    INTERFACE_ENDPOINT_SERVICES,
    routeTableOfSubnet,
} from "./endpoints";
import { forwardingEgressRules, httpsEgressRules } from "./egressRules";

export interface ExecNetworkArgs {
    /** Create a VPC, or use existing subnets. */
    network: NetworkConfig;
    /** How tasks in subnets without NAT reach AWS: endpoints created here, the VPC's existing ones, or none. */
    vpcEndpoints: VpcEndpointsMode;
    /** Whether exec tasks get a public IP (decides the created VPC's layout). */
    assignPublicIp: boolean;
    region: string;
    /** Name of the exec tasks' security group. */
    taskSecurityGroupName: string;
    /** The prefix of the endpoints' Name tags. */
    endpointsName: string;
    /** Name of the security group of the endpoints the stack creates. */
    endpointSecurityGroupName: string;
    /** Destinations developers forward ports to: the exec tasks may reach each one's port, and nothing else but HTTPS. */
    portForwarding?: PortForwardingDestination[];
    tags: Record<string, string>;
}

/** Subnet types and NAT of a VPC the stack creates, chosen from how tasks reach AWS. */
export interface CreatedVpcLayout {
    subnetTypes: awsx.types.enums.ec2.SubnetType[];
    natGateways: awsx.types.enums.ec2.NatGatewayStrategy;
    /** Which subnets exec tasks run in. */
    taskSubnets: "public" | "private" | "isolated";
}

/**
 * The cheapest layout that works: public subnets and no NAT when tasks get a public IP; isolated subnets and no
 * NAT when endpoints carry the traffic; otherwise private subnets behind one NAT gateway.
 */
export function createdVpcLayout(assignPublicIp: boolean, vpcEndpoints: VpcEndpointsMode): CreatedVpcLayout {
    if (assignPublicIp) {
        return { subnetTypes: ["Public"], natGateways: "None", taskSubnets: "public" };
    }
    if (vpcEndpoints === "create") {
        return { subnetTypes: ["Isolated"], natGateways: "None", taskSubnets: "isolated" };
    }
    return { subnetTypes: ["Public", "Private"], natGateways: "Single", taskSubnets: "private" };
}

/** An interface endpoint takes at most one subnet per availability zone. */
export function onePerAvailabilityZone(subnets: { id: string; availabilityZone: string }[]): string[] {
    const byZone = new Map<string, string>();
    for (const subnet of subnets) {
        if (!byZone.has(subnet.availabilityZone)) {
            byZone.set(subnet.availabilityZone, subnet.id);
        }
    }
    return [...byZone.values()];
}

/**
 * Where exec tasks run: the VPC and subnets, a security group with no ingress and egress only to HTTPS (through
 * endpoints: to their security groups and S3's prefix list, nowhere else) and to each port-forwarding destination's port, and, when asked, the VPC endpoints that let tasks reach AWS without NAT:
 * created here, or the VPC's own, which exec tasks are then let through to.
 */
export class ExecNetwork extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    /** Subnets exec tasks are started in. */
    public readonly subnetIds: pulumi.Output<string[]>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** Security groups of the endpoints exec tasks use, each admitting HTTPS from them (none without endpoints). */
    public readonly endpointSecurityGroupIds: pulumi.Output<string[]>;
    /**
     * With `existing`: fails, at preview, naming every endpoint the VPC lacks. Nothing consumes it, so Pulumi reports
     * the failure as the program's error with its message as is; an output that is serialized (registered, or a
     * resource's input) would carry the prefix "error serializing property ...".
     */
    public readonly endpointsReady: pulumi.Output<void>;

    constructor(name: string, args: ExecNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:network:ExecNetwork", name, {}, opts);

        const subnets = args.network.mode === "create" ? this.createVpc(name, args, args.network) : this.existingSubnets(args, args.network);
        this.vpcId = subnets.vpcId;
        this.subnetIds = subnets.subnetIds;

        // Through endpoints, exec tasks reach AWS at the endpoints' security groups and S3's prefix list (the gateway),
        // and nowhere else: no route out for a reverse shell. Without them, HTTPS anywhere (NAT or internet gateway).
        const s3PrefixList = aws.ec2.getPrefixListOutput({ name: endpointServiceName(args.region, GATEWAY_ENDPOINT_SERVICE) }, { parent: this });
        const endpoints = this.endpoints(name, args, subnets, s3PrefixList.id);
        this.endpointsReady = endpoints.ready;

        const taskSecurityGroup = this.taskSecurityGroup(name, args, endpoints.securityGroupIds, s3PrefixList.id);
        this.securityGroupId = taskSecurityGroup.id;
        const kind = endpoints.kind;
        this.endpointSecurityGroupIds = kind
            ? endpoints.securityGroupIds.apply((groups) => this.admitExecTasks(name, args, groups, taskSecurityGroup, kind))
            : pulumi.output([]);

        this.registerOutputs({
            vpcId: this.vpcId,
            subnetIds: this.subnetIds,
            securityGroupId: this.securityGroupId,
            endpointSecurityGroupIds: this.endpointSecurityGroupIds,
        });
    }

    /** A VPC of the layout the tasks need; one subnet of each type per zone, each with a route table of its own. */
    private createVpc(name: string, args: ExecNetworkArgs, network: { vpcCidr?: string }): ExecSubnets {
        const layout = createdVpcLayout(args.assignPublicIp, args.vpcEndpoints);
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: network.vpcCidr,
                numberOfAvailabilityZones: 2,
                // Interface endpoints answer on the services' own DNS names only with DNS hostnames on.
                enableDnsHostnames: true,
                subnetStrategy: "Auto",
                subnetSpecs: layout.subnetTypes.map((type) => ({ type })),
                natGateways: { strategy: layout.natGateways },
                tags: args.tags,
            },
            { parent: this },
        );
        const subnetIds = {
            public: vpc.publicSubnetIds,
            private: vpc.privateSubnetIds,
            isolated: vpc.isolatedSubnetIds,
        }[layout.taskSubnets];
        return {
            vpcId: vpc.vpcId,
            subnetIds,
            endpointSubnetIds: subnetIds,
            routeTableIds: vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id))),
        };
    }

    /** The configured subnets, which must all be of the configured VPC, and (with endpoints) their route tables. */
    private existingSubnets(args: ExecNetworkArgs, { vpcId, subnetIds }: { vpcId: string; subnetIds: string[] }): ExecSubnets {
        const subnets = pulumi
            .all(subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: this })))
            .apply((found) => {
                const strays = found.filter((s) => s.vpcId !== vpcId).map((s) => `${s.id} (in ${s.vpcId})`);
                if (strays.length > 0) {
                    throw new pulumi.ResourceError(
                        `ecs-exec:subnetIds must be subnets of ecs-exec:vpcId ${vpcId}; not: ${strays.join(", ")}`,
                        this,
                        true,
                    );
                }
                return found.map((s) => ({ id: s.id, availabilityZone: s.availabilityZone }));
            });
        const taskSubnetIds = subnets.apply((found) => found.map((s) => s.id));
        const endpointSubnetIds = subnets.apply(onePerAvailabilityZone);
        const subnetRouteTables = args.vpcEndpoints === "none" ? pulumi.output([]) : this.routeTablesOf(vpcId, subnetIds);
        return {
            vpcId: pulumi.output(vpcId),
            subnetIds: taskSubnetIds,
            endpointSubnetIds,
            routeTableIds: subnetRouteTables.apply((tables) => [...new Set(tables.map((t) => t.routeTableId))]),
            subnetRouteTables,
        };
    }

    /** The endpoints exec tasks reach AWS through: created here, the VPC's own (checked at preview), or none. */
    private endpoints(name: string, args: ExecNetworkArgs, subnets: ExecSubnets, s3PrefixListId: pulumi.Output<string>): ExecEndpoints {
        if (args.vpcEndpoints === "create") {
            return {
                kind: "created",
                securityGroupIds: this.createEndpoints(name, args, subnets.endpointSubnetIds, subnets.routeTableIds),
                ready: pulumi.output(undefined),
            };
        }
        if (args.vpcEndpoints === "existing" && args.network.mode === "existing" && subnets.subnetRouteTables) {
            const vpcId = args.network.vpcId;
            const verdict = this.checkExistingEndpoints(vpcId, args.region, subnets.subnetRouteTables, s3PrefixListId);
            return {
                kind: "existing",
                ready: verdict.apply((v) => {
                    if (v.problems.length > 0) {
                        throw new pulumi.ResourceError(formatEndpointProblems(vpcId, v.problems), this, true);
                    }
                }),
                securityGroupIds: verdict.apply((v) => (v.problems.length > 0 ? [] : v.securityGroupIds)),
            };
        }
        return { securityGroupIds: pulumi.output([]), ready: pulumi.output(undefined) };
    }

    /** The exec tasks' group: no ingress at all; egress to HTTPS (through the endpoints, if any) and the forwarding ports. */
    private taskSecurityGroup(
        name: string,
        args: ExecNetworkArgs,
        endpointGroups: pulumi.Output<string[]>,
        s3PrefixListId: pulumi.Output<string>,
    ): aws.ec2.SecurityGroup {
        const throughEndpoints = args.vpcEndpoints !== "none";
        return new aws.ec2.SecurityGroup(
            `${name}-task`,
            {
                name: args.taskSecurityGroupName,
                // Kept when forwarding adds ports below (their rules say so): EC2 cannot change a group's description, and
                // replacing the group would cut running exec tasks off.
                description: "ECS Exec tasks: no inbound at all; outbound HTTPS only (SSM, ECR, logs, KMS)",
                vpcId: this.vpcId,
                ingress: [],
                egress: pulumi
                    .all([endpointGroups, s3PrefixListId])
                    .apply(([groups, prefixListId]) => [
                        ...httpsEgressRules(throughEndpoints ? { endpointSecurityGroupIds: groups, s3PrefixListId: prefixListId } : undefined),
                        ...forwardingEgressRules(args.portForwarding ?? []),
                    ]),
                // The tag policy packs recognise the exec tasks' security group by.
                tags: { ...args.tags, Name: args.taskSecurityGroupName, [EXEC_TASK_TAG.key]: EXEC_TASK_TAG.value },
            },
            { parent: this },
        );
    }

    /**
     * The route table each subnet uses: its explicitly associated one, else the VPC's main route table. Lookups that
     * return a list (possibly empty), since a subnet on the main table has no explicit association to find.
     */
    private routeTablesOf(vpcId: string, subnetIds: string[]): pulumi.Output<SubnetRouteTable[]> {
        const lookup = (filter: string, value: string) =>
            aws.ec2.getRouteTablesOutput({ vpcId, filters: [{ name: filter, values: [value] }] }, { parent: this }).ids;
        const main = lookup("association.main", "true");
        const explicit = pulumi.all(subnetIds.map((subnetId) => lookup("association.subnet-id", subnetId)));
        return pulumi.all([explicit, main]).apply(([explicitIds, mainIds]) =>
            subnetIds.map((subnetId, i) => {
                const routeTableId = routeTableOfSubnet(explicitIds[i], mainIds);
                if (routeTableId === undefined) {
                    throw new pulumi.ResourceError(
                        `no route table found for ${subnetId}: it has no explicit association and VPC ${vpcId} reports no main route table`,
                        this,
                        true,
                    );
                }
                return { subnetId, routeTableId };
            }),
        );
    }

    /**
     * Interface endpoints reachable only from exec tasks, and the S3 gateway on the subnets' route tables. Their
     * security group is made first, its one rule (HTTPS from the exec tasks) after the exec tasks' group, whose egress
     * names it: rules inline in both groups would make each wait for the other. A group of its own name: the one of
     * earlier versions, with its rule inline, goes once the endpoints have moved to this one.
     */
    private createEndpoints(
        name: string,
        args: ExecNetworkArgs,
        subnetIds: pulumi.Output<string[]>,
        routeTableIds: pulumi.Output<string[]>,
    ): pulumi.Output<string[]> {
        const endpointSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoint-group`,
            {
                name: args.endpointSecurityGroupName,
                description: "VPC interface endpoints of ECS Exec: HTTPS from its exec tasks only",
                vpcId: this.vpcId,
                egress: [],
                tags: { ...args.tags, Name: args.endpointSecurityGroupName },
            },
            { parent: this },
        );
        for (const service of INTERFACE_ENDPOINT_SERVICES) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(".", "-")}`,
                {
                    vpcId: this.vpcId,
                    serviceName: endpointServiceName(args.region, service),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds,
                    securityGroupIds: [endpointSecurityGroup.id],
                    tags: { ...args.tags, Name: `${args.endpointsName}-${service}` },
                },
                { parent: this },
            );
        }
        new aws.ec2.VpcEndpoint(
            `${name}-${GATEWAY_ENDPOINT_SERVICE}`,
            {
                vpcId: this.vpcId,
                serviceName: endpointServiceName(args.region, GATEWAY_ENDPOINT_SERVICE),
                vpcEndpointType: "Gateway",
                routeTableIds,
                tags: { ...args.tags, Name: `${args.endpointsName}-${GATEWAY_ENDPOINT_SERVICE}` },
            },
            { parent: this },
        );
        return endpointSecurityGroup.id.apply((id) => [id]);
    }

    /** Looks up, at preview, the VPC's endpoints and S3 gateway routes, and judges them (creates nothing). */
    private checkExistingEndpoints(
        vpcId: string,
        region: string,
        subnetRouteTables: pulumi.Output<SubnetRouteTable[]>,
        s3PrefixListId: pulumi.Output<string>,
    ): pulumi.Output<EndpointsVerdict> {
        const parent = { parent: this };
        // The provider has no list of a VPC's endpoints that tolerates none; the interface endpoints' network
        // interfaces can be listed (an empty list, not a failure), and each names its endpoint.
        const interfaces = aws.ec2.getNetworkInterfacesOutput(
            {
                filters: [
                    { name: "vpc-id", values: [vpcId] },
                    { name: "interface-type", values: ["vpc_endpoint"] },
                ],
            },
            parent,
        );
        const endpoints: pulumi.Output<FoundEndpoint[]> = interfaces.ids
            .apply((ids) => pulumi.all(ids.map((id) => aws.ec2.getNetworkInterfaceOutput({ id }, parent).description)))
            .apply((descriptions) => {
                const ids = descriptions.map(endpointIdOfInterface).filter((id): id is string => id !== undefined);
                return pulumi.all([...new Set(ids)].sort().map((id) => aws.ec2.getVpcEndpointOutput({ id }, parent)));
            })
            .apply((found) =>
                found.map((e) => ({
                    id: e.id,
                    serviceName: e.serviceName,
                    privateDnsEnabled: e.privateDnsEnabled,
                    securityGroupIds: e.securityGroupIds,
                    state: e.state,
                })),
            );
        // An S3 gateway endpoint adds a route to S3's prefix list to each of its route tables.
        const s3RouteTableIds = aws.ec2.getRouteTablesOutput(
            { vpcId, filters: [{ name: "route.destination-prefix-list-id", values: [s3PrefixListId] }] },
            parent,
        ).ids;
        return pulumi
            .all([endpoints, subnetRouteTables, s3RouteTableIds])
            .apply(([interfaceEndpoints, tables, s3Tables]) =>
                checkExistingEndpoints({ vpcId, region, interfaceEndpoints, subnetRouteTables: tables, s3RouteTableIds: s3Tables }),
            );
    }

    /**
     * HTTPS from the exec tasks into each endpoint security group: the stack's own, or the VPC's (groups managed
     * elsewhere: see docs/operators.md).
     */
    private admitExecTasks(
        name: string,
        args: ExecNetworkArgs,
        securityGroupIds: string[],
        taskSecurityGroup: aws.ec2.SecurityGroup,
        endpoints: "created" | "existing",
    ): string[] {
        for (const securityGroupId of securityGroupIds) {
            // The created group's rule has a fixed name; the VPC's groups', their id: stable whatever the order of the
            // lookups, and distinct by construction.
            new aws.vpc.SecurityGroupIngressRule(
                endpoints === "created" ? `${name}-endpoint-group-ingress` : `${name}-endpoint-ingress-${securityGroupId}`,
                {
                    securityGroupId,
                    referencedSecurityGroupId: taskSecurityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: `HTTPS from ECS Exec tasks (${args.taskSecurityGroupName})`,
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        return securityGroupIds;
    }
}

/** The route table an exec subnet uses. */
interface SubnetRouteTable {
    subnetId: string;
    routeTableId: string;
}

/** Where exec tasks run, as the steps after it need it. */
interface ExecSubnets {
    vpcId: pulumi.Output<string>;
    /** Subnets exec tasks are started in. */
    subnetIds: pulumi.Output<string[]>;
    /** One of them per availability zone: an interface endpoint's subnets. */
    endpointSubnetIds: pulumi.Output<string[]>;
    /** The route tables of the exec subnets: the S3 gateway's. */
    routeTableIds: pulumi.Output<string[]>;
    /** Each existing subnet's route table (none looked up without endpoints); undefined for a created VPC. */
    subnetRouteTables?: pulumi.Output<SubnetRouteTable[]>;
}

/** The endpoints exec tasks use: whose they are, their security groups, and whether they are all there. */
interface ExecEndpoints {
    /** Undefined: no endpoints the stack admits exec tasks to. */
    kind?: "created" | "existing";
    securityGroupIds: pulumi.Output<string[]>;
    ready: pulumi.Output<void>;
}
