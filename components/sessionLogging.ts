import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import { AwsContext, sessionKeyPolicy } from "./policies";
import { POLICY_PROPAGATION_WAIT } from "./propagation";

export interface SessionLoggingArgs {
    /** Account, region and partition the key policy names. */
    context: pulumi.Input<AwsContext>;
    /** Alias of the customer-managed key. */
    keyAlias: string;
    /** Log group that receives session transcripts. */
    sessionLogGroupName: string;
    /** Log group for the exec container's own output. */
    containerLogGroupName: string;
    /** Retention of both log groups, in days. */
    retentionInDays: number;
    /** Also protect the key and the session log group, which are kept on delete in any case (see the class). */
    protectAuditData: boolean;
    tags: Record<string, string>;
}

/**
 * A customer-managed KMS key (rotated yearly) and the two log groups it encrypts: the session transcripts and the
 * exec container's output. The key is also the cluster's exec key, so session traffic and its record share it.
 *
 * The record outlives the stack: `pulumi destroy` leaves both log groups (their retention keeps applying), the key
 * that decrypts them and its alias in the account (`retainOnDelete`). With `protectAuditData`, Pulumi also refuses to
 * delete the transcripts and their key at all (`protect`); the container's own output is kept, not protected.
 */
export class SessionLogging extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly sessionLogGroupName: pulumi.Output<string>;
    public readonly sessionLogGroupArn: pulumi.Output<string>;
    public readonly containerLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: SessionLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:logging:SessionLogging", name, {}, opts);

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `ECS Exec sessions and their logs (${args.sessionLogGroupName}, ${args.containerLogGroupName})`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.output(args.context).apply((ctx) =>
                    JSON.stringify(
                        sessionKeyPolicy(ctx, { logGroupNames: [args.sessionLogGroupName, args.containerLogGroupName] }),
                    ),
                ),
                tags: args.tags,
            },
            { parent: this, retainOnDelete: true, protect: args.protectAuditData },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, { parent: this, retainOnDelete: true });
        // CreateLogGroup fails ("The specified KMS key does not exist or is not allowed to be used") until the key
        // policy has reached CloudWatch Logs; the wait runs again whenever the key or its policy changes.
        const keyPolicyPropagation = new time.Sleep(
            `${name}-key-policy-propagation`,
            { createDuration: POLICY_PROPAGATION_WAIT, triggers: { keyArn: key.arn, keyPolicy: key.policy } },
            { parent: this },
        );

        const logGroup = (part: string, logGroupName: string, protect: boolean) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${part}`,
                {
                    name: logGroupName,
                    retentionInDays: args.retentionInDays,
                    kmsKeyId: key.arn,
                    tags: args.tags,
                },
                { parent: this, dependsOn: [keyPolicyPropagation], retainOnDelete: true, protect },
            );
        const sessions = logGroup("sessions", args.sessionLogGroupName, args.protectAuditData);
        const container = logGroup("container", args.containerLogGroupName, false);

        this.keyArn = key.arn;
        this.sessionLogGroupName = sessions.name;
        this.sessionLogGroupArn = sessions.arn;
        this.containerLogGroupName = container.name;
        this.registerOutputs({
            keyArn: this.keyArn,
            sessionLogGroupName: this.sessionLogGroupName,
            sessionLogGroupArn: this.sessionLogGroupArn,
            containerLogGroupName: this.containerLogGroupName,
        });
    }
}
