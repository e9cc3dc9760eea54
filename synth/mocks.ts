/**
 * Pulumi mocks that answer like AWS would: ids and ARNs in each service's real format, derived deterministically
 * from the resource's type and name, in one fixed test account and the stack's region. Documents that embed them
 * can then be evaluated as AWS would evaluate them.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The one account every synthesized stack lives in. */
export const TEST_ACCOUNT_ID = "111122223333";

export interface MockAccount {
    region: string;
    accountId: string;
    /** The VPC that existing subnets (`ecs-exec:subnetIds`) are reported to belong to. */
    existingVpcId?: string;
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

/** `<prefix>-<17 hex>`, the form of EC2 ids (sg-, vpc-, subnet-, rtb-, vpce-). */
function ec2Id(prefix: string, ...seed: string[]): string {
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
                return { id: inputs.bucket, state: { ...inputs } };
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
                return {
                    id: accountId,
                    accountId,
                    arn: `arn:${this.partition.partition}:iam::${accountId}:user/ecs-exec-synth`,
                    userId: iamUniqueId("AIDA", "ecs-exec-synth"),
                };
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
            case "aws:ec2/getRouteTable:getRouteTable": {
                const routeTableId = ec2Id("rtb", args.inputs.subnetId);
                return {
                    id: routeTableId,
                    routeTableId,
                    subnetId: args.inputs.subnetId,
                    vpcId: this.account.existingVpcId ?? ec2Id("vpc", "unknown"),
                    arn: this.arn("ec2", `route-table/${routeTableId}`),
                    ownerId: accountId,
                };
            }
        }
        throw new Error(`no mock for function ${args.token}: add it to synth/mocks.ts`);
    }
}
