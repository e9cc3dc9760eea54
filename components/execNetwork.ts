import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type { NetworkConfig } from "./config";
import { EXEC_TASK_TAG } from "./names";

export interface ExecNetworkArgs {
    /** Create a VPC, or use existing subnets. */
    network: NetworkConfig;
    /** Interface endpoints (and an S3 gateway) so tasks in subnets without NAT can reach AWS. */
    vpcEndpoints: boolean;
    /** Whether exec tasks get a public IP (decides the created VPC's layout). */
    assignPublicIp: boolean;
    region: string;
    /** Name of the exec tasks' security group. */
    taskSecurityGroupName: string;
    /** Name of the endpoints' security group, and the prefix of the endpoints' Name tags. */
    endpointsName: string;
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
export function createdVpcLayout(assignPublicIp: boolean, vpcEndpoints: boolean): CreatedVpcLayout {
    if (assignPublicIp) {
        return { subnetTypes: ["Public"], natGateways: "None", taskSubnets: "public" };
    }
    if (vpcEndpoints) {
        return { subnetTypes: ["Isolated"], natGateways: "None", taskSubnets: "isolated" };
    }
    return { subnetTypes: ["Public", "Private"], natGateways: "Single", taskSubnets: "private" };
}

/**
 * Interface endpoints an exec task needs when it has no route to the internet: Session Manager channels,
 * the image pull (ECR API and registry), CloudWatch Logs (container output and session transcripts) and KMS
 * (the agent decrypts the session data key).
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ssmmessages", "ecr.api", "ecr.dkr", "logs", "kms"] as const;

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
 * Where exec tasks run: the VPC and subnets, a security group with no ingress and egress only to HTTPS, and, when
 * asked, the VPC endpoints that let tasks reach AWS without NAT.
 */
export class ExecNetwork extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    /** Subnets exec tasks are started in. */
    public readonly subnetIds: pulumi.Output<string[]>;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: ExecNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:network:ExecNetwork", name, {}, opts);

        let endpointSubnetIds: pulumi.Output<string[]>;
        let routeTableIds: pulumi.Output<string[]>;
        if (args.network.mode === "create") {
            const layout = createdVpcLayout(args.assignPublicIp, args.vpcEndpoints);
            const vpc = new awsx.ec2.Vpc(
                `${name}-vpc`,
                {
                    cidrBlock: args.network.vpcCidr,
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
            this.vpcId = vpc.vpcId;
            this.subnetIds = {
                public: vpc.publicSubnetIds,
                private: vpc.privateSubnetIds,
                isolated: vpc.isolatedSubnetIds,
            }[layout.taskSubnets];
            // The created VPC has one subnet of each type per zone.
            endpointSubnetIds = this.subnetIds;
            routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id)));
        } else {
            const { vpcId, subnetIds } = args.network;
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
            this.vpcId = pulumi.output(vpcId);
            this.subnetIds = subnets.apply((found) => found.map((s) => s.id));
            endpointSubnetIds = subnets.apply(onePerAvailabilityZone);
            routeTableIds = args.vpcEndpoints
                ? pulumi
                      .all(subnetIds.map((subnetId) => aws.ec2.getRouteTableOutput({ subnetId }, { parent: this })))
                      .apply((tables) => [...new Set(tables.map((t) => t.routeTableId))])
                : pulumi.output([]);
        }

        const taskSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-task`,
            {
                name: args.taskSecurityGroupName,
                description: "ECS Exec tasks: no inbound at all; outbound HTTPS only (SSM, ECR, logs, KMS)",
                vpcId: this.vpcId,
                ingress: [],
                egress: [
                    {
                        description: "HTTPS to AWS APIs (through VPC endpoints, NAT or the internet gateway)",
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrBlocks: ["0.0.0.0/0"],
                    },
                ],
                // The tag policy packs recognise the exec tasks' security group by.
                tags: { ...args.tags, Name: args.taskSecurityGroupName, [EXEC_TASK_TAG.key]: EXEC_TASK_TAG.value },
            },
            { parent: this },
        );
        this.securityGroupId = taskSecurityGroup.id;

        if (args.vpcEndpoints) {
            const endpointSecurityGroup = new aws.ec2.SecurityGroup(
                `${name}-endpoints`,
                {
                    name: args.endpointsName,
                    description: "VPC interface endpoints: HTTPS from ECS Exec tasks only",
                    vpcId: this.vpcId,
                    ingress: [
                        {
                            description: "HTTPS from exec tasks",
                            protocol: "tcp",
                            fromPort: 443,
                            toPort: 443,
                            securityGroups: [taskSecurityGroup.id],
                        },
                    ],
                    egress: [],
                    tags: { ...args.tags, Name: args.endpointsName },
                },
                { parent: this },
            );
            for (const service of INTERFACE_ENDPOINT_SERVICES) {
                new aws.ec2.VpcEndpoint(
                    `${name}-${service.replace(".", "-")}`,
                    {
                        vpcId: this.vpcId,
                        serviceName: `com.amazonaws.${args.region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: endpointSubnetIds,
                        securityGroupIds: [endpointSecurityGroup.id],
                        tags: { ...args.tags, Name: `${args.endpointsName}-${service}` },
                    },
                    { parent: this },
                );
            }
            // ECR serves image layers from S3.
            new aws.ec2.VpcEndpoint(
                `${name}-s3`,
                {
                    vpcId: this.vpcId,
                    serviceName: `com.amazonaws.${args.region}.s3`,
                    vpcEndpointType: "Gateway",
                    routeTableIds,
                    tags: { ...args.tags, Name: `${args.endpointsName}-s3` },
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            subnetIds: this.subnetIds,
            securityGroupId: this.securityGroupId,
        });
    }
}
