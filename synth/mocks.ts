/**
 * Pulumi mocks that answer like AWS would: ids and ARNs in each service's real format, derived deterministically
 * from the resource's type and name, in one fixed test account and the stack's region. Documents that embed them
 * can then be evaluated as AWS would evaluate them.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The one account every synthesized stack lives in. */
export const TEST_ACCOUNT_ID = "111122223333";

/** The role whose session the synthesized deploy runs as, and its path. */
export const SYNTH_DEPLOY_ROLE = { name: "ecs-exec-deploy", path: "/ci/" } as const;

export interface MockAccount {
    region: string;
    accountId: string;
    /** The VPC that existing subnets (`ecs-exec:subnetIds`) are reported to belong to. */
    existingVpcId?: string;
    /** Existing VPCs as their lookups see them (endpoints, route tables); a VPC not listed has none of either. */
    vpcs?: MockVpc[];
}

/** An interface endpoint of an existing VPC. */
export interface MockInterfaceEndpoint {
    /** The service's last part: `kms`, `ecr.api`, ... */
    service: string;
    privateDnsEnabled: boolean;
    securityGroupIds: string[];
    /** Subnets it has a network interface in. */
    subnetIds: string[];
    state?: string;
}

/** An existing VPC: its route tables and endpoints. */
export interface MockVpc {
    id: string;
    mainRouteTableId: string;
    /** Subnets with an explicit route table association; every other subnet uses the main route table. */
    explicitRouteTables: Record<string, string>;
    interfaceEndpoints: MockInterfaceEndpoint[];
    /** Route tables of its S3 gateway endpoint: each has a route to S3's prefix list. */
    s3GatewayRouteTableIds: string[];
}

/**
 * A VPC that already has what exec tasks need without NAT, as one where the application runs and pulls from ECR
 * would: an interface endpoint with private DNS for each service (the ECR pair behind one security group, the rest
 * behind another) and an S3 gateway on its route tables. The first subnet has a route table of its own; the others
 * are on the main route table, with no explicit association.
 */
export function equippedVpc(vpcId: string, subnetIds: string[]): MockVpc {
    const mainRouteTableId = ec2Id("rtb", vpcId, "main");
    const explicitRouteTables: Record<string, string> = subnetIds.length > 0 ? { [subnetIds[0]]: ec2Id("rtb", vpcId, subnetIds[0]) } : {};
    const endpointSubnets = AVAILABILITY_ZONE_LETTERS.slice(0, 2).map((zone) => ec2Id("subnet", vpcId, "endpoints", zone));
    const ecrGroup = ec2Id("sg", vpcId, "ecr-endpoints");
    const servicesGroup = ec2Id("sg", vpcId, "endpoints");
    return {
        id: vpcId,
        mainRouteTableId,
        explicitRouteTables,
        interfaceEndpoints: ["ssmmessages", "ecr.api", "ecr.dkr", "logs", "kms"].map((service) => ({
            service,
            privateDnsEnabled: true,
            securityGroupIds: [service.startsWith("ecr.") ? ecrGroup : servicesGroup],
            subnetIds: endpointSubnets,
        })),
        s3GatewayRouteTableIds: [mainRouteTableId, ...Object.values(explicitRouteTables)],
    };
}

export function partitionOf(region: string): { partition: string; dnsSuffix: string; reverseDnsPrefix: string } {
    if (region.startsWith("cn-")) {
        return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
    }
    if (region.startsWith("us-gov-")) {
        return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    }
    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

function digest(...parts: string[]): string {
    return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** `<prefix>-<17 hex>`, the form of EC2 ids (sg-, vpc-, subnet-, rtb-, vpce-, eni-). */
export function ec2Id(prefix: string, ...seed: string[]): string {
    return `${prefix}-${digest(prefix, ...seed).slice(0, 17)}`;
}

function uuid(...seed: string[]): string {
    const h = digest("uuid", ...seed);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** IAM unique ids: a four-letter prefix and 17 upper-case alphanumerics. */
function iamUniqueId(prefix: string, ...seed: string[]): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const h = Buffer.from(digest(prefix, ...seed), "hex");
    let id = prefix;
    for (let i = 0; i < 17; i++) {
        id += alphabet[h[i] % alphabet.length];
    }
    return id;
}

const AVAILABILITY_ZONE_LETTERS = ["a", "b", "c"];

export class AwsMocks implements pulumi.runtime.Mocks {
    private readonly partition: ReturnType<typeof partitionOf>;

    constructor(private readonly account: MockAccount) {
        this.partition = partitionOf(account.region);
    }

    private arn(service: string, resource: string, region = this.account.region): string {
        return `arn:${this.partition.partition}:${service}:${region}:${this.account.accountId}:${resource}`;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const { type, name, inputs } = args;
        if (!args.custom && !type.startsWith("awsx:")) {
            return { id: undefined, state: {} }; // a component of this program: no physical resource
        }
        // Ids differ between stacks, as they would in one account.
        const seed = `${pulumi.getStack()}/${name}`;
        switch (type) {
            case "aws:kms/key:Key": {
                const keyId = uuid(type, seed);
                return { id: keyId, state: { ...inputs, keyId, arn: this.arn("kms", `key/${keyId}`) } };
            }
            case "aws:kms/alias:Alias":
                return {
                    id: inputs.name,
                    state: { ...inputs, arn: this.arn("kms", inputs.name), targetKeyArn: this.arn("kms", `key/${inputs.targetKeyId}`) },
                };
            case "aws:cloudwatch/logGroup:LogGroup":
                return { id: inputs.name, state: { ...inputs, arn: this.arn("logs", `log-group:${inputs.name}`) } };
            case "aws:ecs/cluster:Cluster": {
                const arn = this.arn("ecs", `cluster/${inputs.name}`);
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:ecs/taskDefinition:TaskDefinition": {
                const arnWithoutRevision = this.arn("ecs", `task-definition/${inputs.family}`);
                return {
                    id: inputs.family,
                    state: { ...inputs, revision: 1, arn: `${arnWithoutRevision}:1`, arnWithoutRevision },
                };
            }
            case "aws:iam/role:Role":
                return {
                    id: inputs.name,
                    state: {
                        ...inputs,
                        arn: `arn:${this.partition.partition}:iam::${this.account.accountId}:role${inputs.path ?? "/"}${inputs.name}`,
                        uniqueId: iamUniqueId("AROA", seed),
                    },
                };
            case "aws:iam/rolePolicy:RolePolicy":
                return { id: `${inputs.role}:${inputs.name}`, state: { ...inputs } };
            case "aws:iam/policy:Policy": {
                const arn = `arn:${this.partition.partition}:iam::${this.account.accountId}:policy${inputs.path ?? "/"}${inputs.name}`;
                return { id: arn, state: { ...inputs, arn, policyId: iamUniqueId("ANPA", seed) } };
            }
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                return { id: `${inputs.role}-${digest(seed).slice(0, 20)}`, state: { ...inputs } };
            case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
                return { id: `${inputs.group}-${digest(seed).slice(0, 20)}`, state: { ...inputs } };
            case "aws:ec2/securityGroup:SecurityGroup": {
                const id = ec2Id("sg", seed);
                return {
                    id,
                    state: { ...inputs, arn: this.arn("ec2", `security-group/${id}`), ownerId: this.account.accountId },
                };
            }
            case "aws:ec2/vpcEndpoint:VpcEndpoint": {
                const id = ec2Id("vpce", seed);
                return { id, state: { ...inputs, arn: this.arn("ec2", `vpc-endpoint/${id}`) } };
            }
            case "aws:sns/topic:Topic": {
                const arn = this.arn("sns", inputs.name);
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:sqs/queue:Queue": {
                // SQS: the id is the queue URL, https://sqs.<region>.amazonaws.com/<account>/<name>.
                const url = `https://sqs.${this.account.region}.${this.partition.dnsSuffix}/${this.account.accountId}/${inputs.name}`;
                return { id: url, state: { ...inputs, url, arn: this.arn("sqs", inputs.name) } };
            }
            case "aws:sqs/queuePolicy:QueuePolicy":
                return { id: inputs.queueUrl, state: { ...inputs } };
            case "aws:sns/topicPolicy:TopicPolicy":
                return { id: inputs.arn, state: { ...inputs } };
            case "aws:sns/topicSubscription:TopicSubscription": {
                const arn = `${inputs.topic}:${uuid(type, seed)}`;
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:cloudwatch/eventRule:EventRule":
                return { id: inputs.name, state: { ...inputs, arn: this.arn("events", `rule/${inputs.name}`) } };
            case "aws:cloudwatch/eventTarget:EventTarget": {
                const targetId = `${digest(seed).slice(0, 20)}`;
                return { id: `${inputs.rule}-${targetId}`, state: { ...inputs, targetId } };
            }
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                return { id: inputs.name, state: { ...inputs, arn: this.arn("cloudwatch", `alarm:${inputs.name}`) } };
            case "aws:cloudtrail/trail:Trail": {
                const arn = this.arn("cloudtrail", `trail/${inputs.name}`);
                return { id: arn, state: { ...inputs, arn, homeRegion: this.account.region } };
            }
            case "aws:s3/bucket:Bucket":
                return { id: inputs.bucket, state: { ...inputs, arn: `arn:${this.partition.partition}:s3:::${inputs.bucket}` } };
            case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
            case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
            case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
            case "aws:s3/bucketPolicy:BucketPolicy":
            case "aws:s3/bucketVersioning:BucketVersioning":
                return { id: inputs.bucket, state: { ...inputs } };
            case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
                const id = ec2Id("sgr", seed);
                return {
                    id,
                    state: { ...inputs, securityGroupRuleId: id, arn: this.arn("ec2", `security-group-rule/${id}`) },
                };
            }
            case "time:index/sleep:Sleep":
                // The time provider's id is the moment the wait began (RFC 3339).
                return { id: new Date(0).toISOString(), state: { ...inputs } };
            case "awsx:ec2:Vpc":
                return { id: undefined, state: this.createdVpc(seed, inputs) };
        }
        throw new Error(`no mock for resource type ${type} (${name}): add its id and ARN format to synth/mocks.ts`);
    }

    /** What awsx.ec2.Vpc reports: subnets of each requested type in two zones, one route table per subnet. */
    private createdVpc(seed: string, inputs: any): Record<string, unknown> {
        const zones = AVAILABILITY_ZONE_LETTERS.slice(0, inputs.numberOfAvailabilityZones ?? 3);
        const types: string[] = (inputs.subnetSpecs ?? [{ type: "Private" }, { type: "Public" }]).map((s: any) => s.type);
        const subnetIds = (type: string) =>
            types.includes(type) ? zones.map((zone) => ec2Id("subnet", seed, type, zone)) : [];
        const all = types.flatMap(subnetIds);
        return {
            vpcId: ec2Id("vpc", seed),
            publicSubnetIds: subnetIds("Public"),
            privateSubnetIds: subnetIds("Private"),
            isolatedSubnetIds: subnetIds("Isolated"),
            routeTables: all.map((subnetId) => ({ id: ec2Id("rtb", subnetId) })),
        };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        const { region, accountId } = this.account;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                // A deploy as CI runs it: a session of a role whose path its session ARN does not show.
                return {
                    id: accountId,
                    accountId,
                    arn: `arn:${this.partition.partition}:sts::${accountId}:assumed-role/${SYNTH_DEPLOY_ROLE.name}/ecs-exec-synth`,
                    userId: `${iamUniqueId("AROA", SYNTH_DEPLOY_ROLE.name)}:ecs-exec-synth`,
                };
            case "aws:iam/getSessionContext:getSessionContext": {
                // The provider reads the role's path with iam:GetRole: the issuer is the role's ARN, path included;
                // any other ARN is its own issuer (Terraform AWS provider, aws_iam_session_context).
                const arn: string = args.inputs.arn;
                const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
                if (!session || session[3] !== SYNTH_DEPLOY_ROLE.name) {
                    return { id: arn, arn, issuerArn: arn };
                }
                const issuerArn = `arn:${session[1]}:iam::${session[2]}:role${SYNTH_DEPLOY_ROLE.path}${session[3]}`;
                return { id: arn, arn, issuerArn, issuerName: session[3], sessionName: session[4], issuerId: iamUniqueId("AROA", session[3]) };
            }
            case "aws:index/getPartition:getPartition":
                return { id: this.partition.partition, ...this.partition };
            case "aws:index/getRegion:getRegion":
                return {
                    id: region,
                    region,
                    name: region,
                    endpoint: `ec2.${region}.${this.partition.dnsSuffix}`,
                    description: region,
                };
            case "aws:ec2/getSubnet:getSubnet": {
                const id: string = args.inputs.id;
                const zone = AVAILABILITY_ZONE_LETTERS[parseInt(digest("az", id).slice(0, 8), 16) % 3];
                return {
                    id,
                    vpcId: this.account.existingVpcId ?? ec2Id("vpc", "unknown"),
                    availabilityZone: `${region}${zone}`,
                    arn: this.arn("ec2", `subnet/${id}`),
                    ownerId: accountId,
                };
            }
            case "aws:ec2/getRouteTables:getRouteTables":
                return { id: region, ids: this.routeTables(args.inputs) };
            case "aws:ec2/getPrefixList:getPrefixList": {
                // AWS-managed prefix lists exist in every region: S3's is com.amazonaws.<region>.s3.
                if (args.inputs.name !== `com.amazonaws.${region}.s3`) {
                    throw new Error(`no matching EC2 Prefix List found (${args.inputs.name})`);
                }
                const id = `pl-${digest("pl", args.inputs.name).slice(0, 8)}`;
                return { id, prefixListId: id, name: args.inputs.name, cidrBlocks: ["16.15.176.0/20"] };
            }
            case "aws:ec2/getNetworkInterfaces:getNetworkInterfaces": {
                const vpcId = this.filterValues(args.inputs.filters, "vpc-id", ["interface-type"]);
                const types = this.filterValues(args.inputs.filters, "interface-type", ["vpc-id"]);
                const ids = this.endpointInterfaces()
                    .filter((eni) => vpcId.includes(eni.vpc.id) && types.includes("vpc_endpoint"))
                    .map((eni) => eni.id);
                return { id: region, ids };
            }
            case "aws:ec2/getNetworkInterface:getNetworkInterface": {
                const eni = this.endpointInterfaces().find((e) => e.id === args.inputs.id);
                if (!eni) {
                    throw new Error(`no matching EC2 Network Interface found (${args.inputs.id})`);
                }
                return {
                    id: eni.id,
                    description: `VPC Endpoint Interface ${eni.endpointId}`,
                    interfaceType: "vpc_endpoint",
                    requesterManaged: true,
                    securityGroups: eni.endpoint.securityGroupIds,
                    subnetId: eni.subnetId,
                    vpcId: eni.vpc.id,
                };
            }
            case "aws:ec2/getVpcEndpoint:getVpcEndpoint": {
                const eni = this.endpointInterfaces().find((e) => e.endpointId === args.inputs.id);
                if (!eni) {
                    // What the provider says when DescribeVpcEndpoints finds nothing.
                    throw new Error("no matching EC2 VPC Endpoint found");
                }
                return {
                    id: eni.endpointId,
                    arn: this.arn("ec2", `vpc-endpoint/${eni.endpointId}`),
                    serviceName: `com.amazonaws.${region}.${eni.endpoint.service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: eni.endpoint.privateDnsEnabled,
                    securityGroupIds: eni.endpoint.securityGroupIds,
                    subnetIds: eni.endpoint.subnetIds,
                    routeTableIds: [],
                    state: eni.endpoint.state ?? "available",
                    vpcId: eni.vpc.id,
                    ownerId: accountId,
                };
            }
        }
        throw new Error(`no mock for function ${args.token}: add it to synth/mocks.ts`);
    }

    /** One network interface per interface endpoint and subnet, as EC2 creates them. */
    private endpointInterfaces() {
        return (this.account.vpcs ?? []).flatMap((vpc) =>
            vpc.interfaceEndpoints.flatMap((endpoint) => {
                const endpointId = ec2Id("vpce", vpc.id, endpoint.service);
                return endpoint.subnetIds.map((subnetId) => ({ id: ec2Id("eni", endpointId, subnetId), endpointId, endpoint, subnetId, vpc }));
            }),
        );
    }

    /**
     * DescribeRouteTables: every filter must match, any of a filter's values; `association.subnet-id` matches
     * explicit associations only, as in EC2.
     */
    private routeTables(inputs: any): string[] {
        const filters: { name: string; values: string[] }[] = inputs.filters ?? [];
        const known = ["association.main", "association.subnet-id", "route.destination-prefix-list-id"];
        const unknown = filters.filter((f) => !known.includes(f.name));
        if (unknown.length > 0) {
            throw new Error(`the route table mock does not model the filter ${unknown[0].name}`);
        }
        const s3PrefixList = `pl-${digest("pl", `com.amazonaws.${this.account.region}.s3`).slice(0, 8)}`;
        const tables = (this.account.vpcs ?? [])
            .filter((vpc) => inputs.vpcId === undefined || vpc.id === inputs.vpcId)
            .flatMap((vpc) =>
                [...new Set([vpc.mainRouteTableId, ...Object.values(vpc.explicitRouteTables)])].map((id) => ({
                    id,
                    "association.main": [String(id === vpc.mainRouteTableId)],
                    "association.subnet-id": Object.keys(vpc.explicitRouteTables).filter((s) => vpc.explicitRouteTables[s] === id),
                    "route.destination-prefix-list-id": vpc.s3GatewayRouteTableIds.includes(id) ? [s3PrefixList] : [],
                })),
            );
        return tables
            .filter((table) => filters.every((f) => (table as any)[f.name].some((v: string) => f.values.includes(v))))
            .map((table) => table.id);
    }

    /** The values of one filter; the only other filters allowed are `others`, so the mock never ignores one. */
    private filterValues(filters: { name: string; values: string[] }[] | undefined, name: string, others: string[]): string[] {
        for (const f of filters ?? []) {
            if (f.name !== name && !others.includes(f.name)) {
                throw new Error(`the network interface mock does not model the filter ${f.name}`);
            }
        }
        return (filters ?? []).find((f) => f.name === name)?.values ?? [];
    }
}
