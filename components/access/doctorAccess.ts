import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { AwsContext, PolicyDocument } from "../iam";
import { doctorPolicy } from "./doctorPolicy";

export interface DoctorAccessArgs {
    /** Account, region and partition the policy names. */
    context: pulumi.Input<AwsContext>;
    /** Name of the customer-managed policy. */
    policyName: string;
    clusterName: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    /** The audit key, which encrypts the alert topic. */
    auditKeyArn: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    topicName: string;
    deadLetterQueueName: string;
    /** Every alert rule and every alarm on their delivery. */
    ruleNames: pulumi.Input<string[]>;
    alarmNames: pulumi.Input<string[]>;
    /** The trail the stack created; undefined when an existing trail is relied on. */
    trailName: pulumi.Input<string | undefined>;
    tags: Record<string, string>;
}

/**
 * Access for `ecs-exec doctor`: one customer-managed policy of exactly the read-only calls it makes, for whoever
 * verifies the deployment (attach it, or reference it from a permission set).
 */
export class DoctorAccess extends pulumi.ComponentResource {
    public readonly policyArn: pulumi.Output<string>;
    public readonly policyDocument: pulumi.Output<PolicyDocument>;

    constructor(name: string, args: DoctorAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:access:DoctorAccess", name, {}, opts);

        this.policyDocument = pulumi
            .all([args.context, args.clusterName, args.kmsKeyArn, args.auditKeyArn, args.vpcId, args.ruleNames, args.alarmNames, args.trailName])
            .apply(([ctx, clusterName, kmsKeyArn, auditKeyArn, vpcId, ruleNames, alarmNames, trailName]) =>
                doctorPolicy(ctx, {
                    clusterName,
                    kmsKeyArn,
                    auditKeyArn,
                    vpcId,
                    topicName: args.topicName,
                    deadLetterQueueName: args.deadLetterQueueName,
                    ruleNames,
                    alarmNames,
                    trailName,
                }),
            );
        const policy = new aws.iam.Policy(
            `${name}-policy`,
            {
                name: args.policyName,
                description: "ecs-exec doctor: read-only checks of the ECS Exec deployment",
                policy: this.policyDocument.apply((document) => JSON.stringify(document)),
                tags: args.tags,
            },
            { parent: this },
        );

        this.policyArn = policy.arn;
        this.registerOutputs({ policyArn: this.policyArn, policyDocument: this.policyDocument });
    }
}
