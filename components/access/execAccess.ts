import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AwsContext, PolicyDocument } from "../iam";
import { developerPolicy } from "./developerPolicy";
import { developerRoleTrustPolicy } from "./developerRoleTrust";

export interface ExecAccessArgs {
    /** Account, region and partition the policy names. */
    context: pulumi.Input<AwsContext>;
    /** Name of the customer-managed developer policy. */
    policyName: string;
    /** Name of the developer role (created only when developerPrincipalArns is not empty). */
    roleName: string;
    clusterName: pulumi.Input<string>;
    taskFamily: pulumi.Input<string>;
    /** The exec task's container: the one developers may exec into. */
    containerName: pulumi.Input<string>;
    taskRoleArn: pulumi.Input<string>;
    executionRoleArn: pulumi.Input<string>;
    /** The cluster's exec KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** The session log group: developers see whether their transcripts have arrived. */
    sessionLogGroupName: pulumi.Input<string>;
    /** The bucket of transcripts' copies: likewise, their keys. */
    transcriptBucketName: pulumi.Input<string>;
    /** Developers may forward ports through their own exec tasks (`ecs-exec:portForwarding` is not empty). */
    portForwarding?: boolean;
    /** Principals that may assume the developer role. */
    developerPrincipalArns: string[];
    /** The principal tag a role session's name must equal; without it, no role session may assume the role. */
    developerSessionNameTag?: string;
    /** Roles other than IAM Identity Center's whose sessions may assume the role under their tagged name. */
    developerTaggedRoleArns: string[];
    /** Whether assuming the role needs MFA. */
    requireMfa: boolean;
    /** Whether RunTask of the exec task needs a non-empty Reason tag. */
    requireReason: boolean;
    /** The exec task's size (cpu units, MiB): RunTask may not ask for more. */
    taskCpu: number;
    taskMemory: number;
    /** Existing roles and groups to attach the policy to. */
    attachToRoles: string[];
    attachToGroups: string[];
    tags: Record<string, string>;
}

/**
 * Developer access: one customer-managed policy (start your own exec task, exec into its exec container, see and
 * stop it), attached to a role developers assume and/or to existing roles and groups.
 */
export class ExecAccess extends pulumi.ComponentResource {
    public readonly policyArn: pulumi.Output<string>;
    public readonly policyDocument: pulumi.Output<PolicyDocument>;
    /** The developer role, or undefined when no principals are configured. */
    public readonly roleArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: ExecAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:access:ExecAccess", name, {}, opts);

        this.policyDocument = developerPolicyDocument(args);
        const policy = new aws.iam.Policy(
            `${name}-policy`,
            {
                name: args.policyName,
                description: "ECS Exec developers: start, exec into, see and stop their own exec tasks",
                policy: this.policyDocument.apply((document) => JSON.stringify(document)),
                tags: args.tags,
            },
            { parent: this },
        );
        this.roleArn = args.developerPrincipalArns.length > 0 ? this.developerRole(name, args, policy) : pulumi.output(undefined);
        this.attachToExisting(name, args, policy);

        this.policyArn = policy.arn;
        this.registerOutputs({ policyArn: this.policyArn, policyDocument: this.policyDocument, roleArn: this.roleArn });
    }

    /** The role developers assume, with the policy attached; its ARN. */
    private developerRole(name: string, args: ExecAccessArgs, policy: aws.iam.Policy): pulumi.Output<string> {
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: "ECS Exec developers: assume to start and open exec sessions",
                assumeRolePolicy: pulumi.output(args.context).apply((ctx) =>
                    JSON.stringify(
                        developerRoleTrustPolicy(ctx, {
                            principalArns: args.developerPrincipalArns,
                            requireMfa: args.requireMfa,
                            sessionNameTag: args.developerSessionNameTag,
                            taggedRoleArns: args.developerTaggedRoleArns,
                        }),
                    ),
                ),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-role-policy`,
            { role: role.name, policyArn: policy.arn },
            { parent: this },
        );
        return role.arn;
    }

    /** The policy attached to the user's existing roles and groups, each attachment under its own name. */
    private attachToExisting(name: string, args: ExecAccessArgs, policy: aws.iam.Policy): void {
        const fixedChildren = new Set(this.fixedChildNames(name, args));
        for (const roleName of args.attachToRoles) {
            const child = attachmentChild(name, "role", roleName);
            new aws.iam.RolePolicyAttachment(
                child.name,
                { role: roleName, policyArn: policy.arn },
                { parent: this, aliases: child.formerNames.filter((n) => !fixedChildren.has(n)).map((n) => ({ name: n })) },
            );
        }
        for (const groupName of args.attachToGroups) {
            const child = attachmentChild(name, "group", groupName);
            new aws.iam.GroupPolicyAttachment(
                child.name,
                { group: groupName, policyArn: policy.arn },
                { parent: this, aliases: child.formerNames.filter((n) => !fixedChildren.has(n)).map((n) => ({ name: n })) },
            );
        }
    }

    /** The children whose names owe nothing to the user's strings. */
    private fixedChildNames(name: string, args: ExecAccessArgs): string[] {
        return [`${name}-policy`, ...(args.developerPrincipalArns.length > 0 ? [`${name}-role`, `${name}-role-policy`] : [])];
    }
}

/** The developer policy of the component's cluster, task and key, once their names and ARNs are known. */
function developerPolicyDocument(args: ExecAccessArgs): pulumi.Output<PolicyDocument> {
    const names = pulumi.all([
        args.clusterName,
        args.taskFamily,
        args.containerName,
        args.taskRoleArn,
        args.executionRoleArn,
        args.kmsKeyArn,
        args.sessionLogGroupName,
        args.transcriptBucketName,
    ]);
    return pulumi
        .all([args.context, names])
        .apply(([ctx, [clusterName, taskFamily, containerName, taskRoleArn, executionRoleArn, kmsKeyArn, sessionLogGroupName, transcriptBucketName]]) =>
            developerPolicy(ctx, {
                clusterName,
                taskFamily,
                containerName,
                taskRoleArn,
                executionRoleArn,
                kmsKeyArn,
                sessionLogGroupName,
                transcriptBucketName,
                requireReason: args.requireReason,
                taskCpu: args.taskCpu,
                taskMemory: args.taskMemory,
                portForwarding: args.portForwarding,
            }),
        );
}

/**
 * The logical name of the attachment to one of the user's roles or groups. Every such name starts with
 * `<component>-attach-`, which no fixed child's name does, so no string of the user's can make it another child's
 * name; `attach-role-` and `attach-group-` differ before the user's string starts, so a role and a group of the same
 * name do not collide either, and config refuses a name listed twice.
 *
 * `formerNames`: the name the attachment had before (`<component>-role-<role>`, `<component>-group-<group>`), given as
 * an alias so that Pulumi moves the existing attachment to its new name instead of creating one and deleting the old,
 * which would detach the policy. Dropped when a fixed child has that name in this deployment (the role named
 * `policy`): an alias may not name another resource's URN.
 */
export function attachmentChild(component: string, kind: "role" | "group", target: string): { name: string; formerNames: string[] } {
    return { name: `${component}-attach-${kind}-${target}`, formerNames: [`${component}-${kind}-${target}`] };
}
