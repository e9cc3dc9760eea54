import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CpuArchitecture, EXEC_TASK_TAG, ImageReference, parseImageReference } from "../config";
import { AwsContext } from "../iam";
import { executionRolePolicy, executionRoleTrustPolicy, taskRolePolicy, taskRoleTrustPolicy } from "./sessionPolicies";

export interface ExecContainerArgs {
    /** Container name: also the value of the `ecs:container-name` condition developers are held to. */
    name: string;
    /** The application's image. */
    image: string;
    /** The container (and so the task) exits after this many hours. */
    maxSessionHours: number;
    /** Log group for the container's own output. */
    logGroupName: pulumi.Input<string>;
    region: string;
}

/** The exec container: the application's image, kept alive by `sleep` for a bounded time, ready for ECS Exec. */
export function execContainerDefinition(args: ExecContainerArgs): aws.ecs.ContainerDefinition {
    return {
        name: args.name,
        image: args.image,
        essential: true,
        // Replaces the image's entrypoint: an exec task is a shell host, not one more instance of the application
        // (which would serve traffic or consume queues). When sleep ends, the essential container exits and the
        // task stops by itself, so a forgotten task costs at most maxSessionHours. The bound lives in the
        // entrypoint, which RunTask cannot override; a command override only adds arguments `sh -c` ignores.
        entryPoint: ["/bin/sh", "-c", `exec sleep ${args.maxSessionHours * 3600}`],
        // An init process as PID 1 reaps the zombies the SSM agent's sessions leave behind.
        linuxParameters: { initProcessEnabled: true },
        // Writable on purpose: ECS Exec bind-mounts the SSM agent, which writes to the container filesystem and
        // cannot run on a read-only root. This task definition is the documented exception to Security Hub ECS.5.
        readonlyRootFilesystem: false,
        privileged: false,
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": args.logGroupName,
                "awslogs-region": args.region,
                "awslogs-stream-prefix": "exec",
            },
        },
    };
}

export interface ExecTaskArgs {
    /** Account, region and partition the role policies name. */
    context: pulumi.Input<AwsContext>;
    taskRoleName: string;
    executionRoleName: string;
    /** Task definition family. */
    taskFamily: string;
    /** Name of the exec container. */
    containerName: string;
    /** The application's image, reused by the exec task. */
    appImage: string;
    /** Fargate cpu units and memory (MiB), a valid pair. */
    cpu: number;
    memory: number;
    cpuArchitecture: CpuArchitecture;
    maxSessionHours: number;
    /** Session log group the task role may write transcripts to. */
    sessionLogGroupName: pulumi.Input<string>;
    /** The bucket the agent copies each transcript to, write-once. */
    transcriptBucketName: pulumi.Input<string>;
    /** Log group for the container's output. */
    containerLogGroupName: pulumi.Input<string>;
    /** The cluster's exec KMS key: the task role may decrypt with it. */
    kmsKeyArn: pulumi.Input<string>;
    region: string;
    tags: Record<string, string>;
}

/**
 * The ephemeral exec task: a Fargate task definition with one container, a task role limited to what the SSM
 * agent needs, and a separate execution role for the image pull and container logs.
 */
export class ExecTask extends pulumi.ComponentResource {
    public readonly taskDefinitionArn: pulumi.Output<string>;
    public readonly taskDefinitionFamily: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;
    public readonly taskRoleArn: pulumi.Output<string>;
    public readonly executionRoleArn: pulumi.Output<string>;

    constructor(name: string, args: ExecTaskArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:task:ExecTask", name, {}, opts);

        const image = parseImageReference(args.appImage);
        if (image === undefined) {
            throw new pulumi.ResourceError(`appImage ${JSON.stringify(args.appImage)} is not an image reference`, this);
        }
        const context = pulumi.output(args.context);
        const taskRole = this.taskRole(name, args, context);
        const executionRole = this.executionRole(name, args, context, image);
        const taskDefinition = this.taskDefinition(name, args, taskRole, executionRole);

        this.taskDefinitionArn = taskDefinition.arn;
        this.taskDefinitionFamily = taskDefinition.family;
        this.containerName = pulumi.output(args.containerName);
        this.taskRoleArn = taskRole.arn;
        this.executionRoleArn = executionRole.arn;
        this.registerOutputs({
            taskDefinitionArn: this.taskDefinitionArn,
            taskDefinitionFamily: this.taskDefinitionFamily,
            containerName: this.containerName,
            taskRoleArn: this.taskRoleArn,
            executionRoleArn: this.executionRoleArn,
        });
    }

    /** What the SSM agent in the exec container runs as. */
    private taskRole(name: string, args: ExecTaskArgs, context: pulumi.Output<AwsContext>): aws.iam.Role {
        return this.inlineRole(name, args, {
            part: "task-role",
            roleName: args.taskRoleName,
            description: "ECS Exec task: Session Manager channels, session transcripts, session key decrypt",
            trust: context.apply((ctx) => JSON.stringify(taskRoleTrustPolicy(ctx))),
            policyName: "ecs-exec-agent",
            policy: pulumi
                .all([context, args.sessionLogGroupName, args.transcriptBucketName, args.kmsKeyArn])
                .apply(([ctx, sessionLogGroupName, transcriptBucketName, kmsKeyArn]) =>
                    JSON.stringify(taskRolePolicy(ctx, { sessionLogGroupName, transcriptBucketName, kmsKeyArn })),
                ),
        });
    }

    /** What ECS starts the task as: the image pull and the container's logs. */
    private executionRole(name: string, args: ExecTaskArgs, context: pulumi.Output<AwsContext>, image: ImageReference): aws.iam.Role {
        return this.inlineRole(name, args, {
            part: "execution-role",
            roleName: args.executionRoleName,
            description: "ECS Exec task start: image pull and container logs",
            trust: context.apply((ctx) => JSON.stringify(executionRoleTrustPolicy(ctx))),
            policyName: "ecs-exec-task-start",
            policy: pulumi
                .all([context, args.containerLogGroupName])
                .apply(([ctx, containerLogGroupName]) => JSON.stringify(executionRolePolicy(ctx, { containerLogGroupName, image }))),
        });
    }

    /** A role with one inline policy: what it may do is all in this stack, nothing attached from elsewhere. */
    private inlineRole(
        name: string,
        args: ExecTaskArgs,
        role: { part: string; roleName: string; description: string; trust: pulumi.Input<string> } & InlinePolicy,
    ): aws.iam.Role {
        const created = new aws.iam.Role(
            `${name}-${role.part}`,
            { name: role.roleName, description: role.description, assumeRolePolicy: role.trust, tags: args.tags },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-${role.part}-policy`, { name: role.policyName, role: created.name, policy: role.policy }, { parent: this });
        return created;
    }

    /** The Fargate task definition of the exec container, tagged as the exec task definition. */
    private taskDefinition(name: string, args: ExecTaskArgs, taskRole: aws.iam.Role, executionRole: aws.iam.Role): aws.ecs.TaskDefinition {
        const container = execContainerDefinition({
            name: args.containerName,
            image: args.appImage,
            maxSessionHours: args.maxSessionHours,
            logGroupName: args.containerLogGroupName,
            region: args.region,
        });
        return new aws.ecs.TaskDefinition(
            `${name}-definition`,
            {
                family: args.taskFamily,
                cpu: String(args.cpu),
                memory: String(args.memory),
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture },
                taskRoleArn: taskRole.arn,
                executionRoleArn: executionRole.arn,
                containerDefinitions: pulumi.jsonStringify([container]),
                tags: { ...args.tags, [EXEC_TASK_TAG.key]: EXEC_TASK_TAG.value },
            },
            { parent: this },
        );
    }
}

/** A role's one inline policy. */
interface InlinePolicy {
    policyName: string;
    policy: pulumi.Input<string>;
}
