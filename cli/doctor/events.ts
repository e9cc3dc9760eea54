/**
 * Events for events:TestEventPattern, as EventBridge delivers CloudTrail records on the default bus: the shape of
 * the shared fixtures (test/fixtures/cloudtrail/), placed in the stack's account, region, cluster and network. The
 * requests are those ecs-exec sends (components/config/commands.ts runTaskRequest, components/config/portForwarding.ts
 * forwardingRequest), recorded as CloudTrail records a call: its request members as `requestParameters`, its response
 * as `responseElements`, a refusal as `errorCode` and `errorMessage` without a response (CloudTrail User Guide,
 * "CloudTrail record contents"). Tests keep the shapes equal and build their RunTask records with `runTaskRecord`.
 */
import { ecsSessionTarget, forwardingRequest, type ForwardingTarget, runTaskRequest } from "../../components/config";
import type { StackOutputs } from "../outputs";

/** Where a call is made: its account, region and partition. */
export interface Where {
    account: string;
    region: string;
    partition: string;
}

/** Where the events happen: the stack's account and region, and what its outputs say of its cluster and network. */
export type EventSite = Where &
    Pick<StackOutputs, "clusterName" | "containerName" | "taskDefinitionFamily" | "subnetIds" | "securityGroupId" | "assignPublicIp" | "portForwarding">;

export type CloudTrailEvent = Record<string, unknown> & { detail: Record<string, any> };

/** A task id of the exec cluster, made up, and its container's runtime id. */
const TASK_ID = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";
const RUNTIME_ID = `${TASK_ID}-1527056392`;
const SESSION_ROLE = "AWSReservedSSO_Developer_0123456789abcdef";
/** The caller's `aws:userid`: ecs-exec tags its task with it as the Owner. */
const CALLER_ID = "AROAEXAMPLEROLEID123:alice@example.com";
const REASON = "ecs-exec doctor test event";
/** A security group that is not the stack's (two, in case the stack's is one of them). */
const FOREIGN_GROUPS = ["sg-0f1e2d3c4b5a69788", "sg-0a1b2c3d4e5f60799"];

function envelope(site: Where, service: string, time: Date, id: string, detail: Record<string, unknown>): CloudTrailEvent {
    const at = time.toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
        version: "0",
        id,
        "detail-type": "AWS API Call via CloudTrail",
        source: `aws.${service}`,
        account: site.account,
        time: at,
        region: site.region,
        resources: [],
        detail: {
            eventVersion: "1.08",
            userIdentity: {
                type: "AssumedRole",
                principalId: CALLER_ID,
                arn: `arn:${site.partition}:sts::${site.account}:assumed-role/${SESSION_ROLE}/alice@example.com`,
                accountId: site.account,
                accessKeyId: "ASIAEXAMPLEKEY000001",
                sessionContext: {
                    sessionIssuer: {
                        type: "Role",
                        principalId: "AROAEXAMPLEROLEID123",
                        arn: `arn:${site.partition}:iam::${site.account}:role/aws-reserved/sso.amazonaws.com/${SESSION_ROLE}`,
                        accountId: site.account,
                        userName: SESSION_ROLE,
                    },
                    attributes: { creationDate: at, mfaAuthenticated: "false" },
                },
            },
            eventTime: at,
            eventSource: `${service}.amazonaws.com`,
            awsRegion: site.region,
            sourceIPAddress: "203.0.113.17",
            userAgent: "ecs-exec doctor",
            ...detail,
            requestID: "5d1c8c6e-2f4a-4b8e-9d3a-7c6b5a4e3d2c",
            eventID: "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d",
            readOnly: false,
            eventType: "AwsApiCall",
            managementEvent: true,
            recipientAccountId: site.account,
            eventCategory: "Management",
            tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", clientProvidedHostHeader: `${service}.${site.region}.amazonaws.com` },
        },
    };
}

const ecsArn = (site: Where, resource: string) => `arn:${site.partition}:ecs:${site.region}:${site.account}:${resource}`;

/** An ExecuteCommand call that opened a session in the exec container. */
export function executeCommandOpened(site: EventSite, time: Date): CloudTrailEvent {
    const taskArn = ecsArn(site, `task/${site.clusterName}/${TASK_ID}`);
    const sessionId = "ecs-execute-command-0a1b2c3d4e5f6a7b8";
    return envelope(site, "ecs", time, "6a7e8feb-b491-4cf7-a9f1-bf3703467718", {
        eventName: "ExecuteCommand",
        requestParameters: { cluster: site.clusterName, container: site.containerName, command: "/bin/bash", interactive: true, task: taskArn },
        responseElements: {
            clusterArn: ecsArn(site, `cluster/${site.clusterName}`),
            containerArn: ecsArn(site, `container/${site.clusterName}/${TASK_ID}/3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f`),
            containerName: site.containerName,
            interactive: true,
            session: {
                sessionId,
                streamUrl: `wss://ssmmessages.${site.region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`,
                tokenValue: "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            taskArn,
        },
    });
}

/** The same call refused by IAM, as CloudTrail records a refusal: an error code and message, no response. */
export function executeCommandRefused(site: EventSite, time: Date): CloudTrailEvent {
    const event = executeCommandOpened(site, time);
    const task = event.detail.requestParameters.task as string;
    event.id = "7b8f9a0c-c5a2-4d0f-b1e2-c0f4814578a9";
    event.detail.responseElements = null;
    event.detail.errorCode = "AccessDeniedException";
    event.detail.errorMessage =
        `User: ${event.detail.userIdentity.arn} is not authorized to perform: ecs:ExecuteCommand on resource: ${task} ` +
        "because no identity-based policy allows the ecs:ExecuteCommand action";
    return event;
}

/** What a RunTask call did: the task it started, or IAM's refusal. */
export type RunTaskOutcome = { taskId: string; taskDefinitionArn: string } | { error: { code: string; message: string } };

/** A RunTask request in the API's member names: those a record shows are read here. */
export type RunTaskRequestMembers = Record<string, unknown> & {
    cluster: string;
    launchType?: string;
    enableExecuteCommand?: boolean;
    tags?: { key: string; value: string }[];
};

/**
 * The members of a RunTask record under `detail`: the request, and the started task as RunTask's response describes
 * it (ECS API reference, RunTask: `tasks`, `failures`) or the refusal.
 */
export function runTaskRecord(where: Where, request: RunTaskRequestMembers, outcome: RunTaskOutcome): Record<string, unknown> {
    if ("error" in outcome) {
        return { eventName: "RunTask", requestParameters: request, responseElements: null, errorCode: outcome.error.code, errorMessage: outcome.error.message };
    }
    const task = {
        taskArn: ecsArn(where, `task/${request.cluster}/${outcome.taskId}`),
        clusterArn: ecsArn(where, `cluster/${request.cluster}`),
        taskDefinitionArn: outcome.taskDefinitionArn,
        lastStatus: "PROVISIONING",
        desiredStatus: "RUNNING",
        enableExecuteCommand: request.enableExecuteCommand ?? false,
        launchType: request.launchType,
        // What Fargate's LATEST is on Linux (ECS Developer Guide, "Fargate platform versions for Amazon ECS").
        platformVersion: "1.4.0",
        ...(request.tags ? { tags: request.tags } : {}),
    };
    return { eventName: "RunTask", requestParameters: request, responseElements: { tasks: [task], failures: [] } };
}

/** Someone starting the application's own task in another cluster, exec off: no alert of the stack is about it. */
export function otherRunTask(site: Where, time: Date): CloudTrailEvent {
    const request = {
        cluster: "payments",
        taskDefinition: "orders-api:42",
        count: 1,
        launchType: "FARGATE",
        enableExecuteCommand: false,
        networkConfiguration: {
            awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp: "DISABLED" },
        },
    };
    const outcome = { taskId: "1a2b3c4d5e6f70819283a4b5c6d7e8f9", taskDefinitionArn: ecsArn(site, "task-definition/orders-api:42") };
    return envelope(site, "ecs", time, "8c9a0b1d-d6b3-4e1a-82f3-d1a5925689ba", runTaskRecord(site, request, outcome));
}

/**
 * ecs-exec's RunTask of the exec task definition, tagged with its Owner and a Reason, in the stack's network or with
 * another security group; started, or refused by IAM.
 */
function execRunTask(site: EventSite, time: Date, id: string, options: { securityGroupId?: string; refused?: boolean }): CloudTrailEvent {
    const placement = {
        cluster: site.clusterName,
        taskFamily: site.taskDefinitionFamily,
        subnetIds: site.subnetIds,
        securityGroupId: options.securityGroupId ?? site.securityGroupId,
        assignPublicIp: site.assignPublicIp,
    };
    // The SDK fills in RunTask's idempotency token, and CloudTrail records it.
    const request = { ...runTaskRequest(placement, CALLER_ID, REASON), clientToken: "8f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b" };
    const definition = ecsArn(site, `task-definition/${site.taskDefinitionFamily}`);
    const outcome: RunTaskOutcome = options.refused
        ? {
              error: {
                  code: "AccessDeniedException",
                  message:
                      `User: arn:${site.partition}:sts::${site.account}:assumed-role/${SESSION_ROLE}/alice@example.com is not authorized to perform: ` +
                      `ecs:RunTask on resource: ${definition} because no identity-based policy allows the ecs:RunTask action`,
              },
          }
        : { taskId: TASK_ID, taskDefinitionArn: `${definition}:1` };
    return envelope(site, "ecs", time, id, runTaskRecord(site, request, outcome));
}

/** ecs-exec starting the exec task in the stack's network. */
export const execTaskStarted = (site: EventSite, time: Date) => execRunTask(site, time, "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", {});

/** The same call, refused. */
export const execTaskRefused = (site: EventSite, time: Date) => execRunTask(site, time, "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", { refused: true });

/** The exec task started with a security group other than the stack's: RunTask's network is the caller's to choose. */
export const execTaskOnForeignGroup = (site: EventSite, time: Date) =>
    execRunTask(site, time, "3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b", { securityGroupId: FOREIGN_GROUPS.find((g) => g !== site.securityGroupId) });

/** A StartSession straight to the exec container of a task of the stack's cluster, as Session Manager records it. */
function startSession(site: EventSite, time: Date, id: string, request: Record<string, unknown>): CloudTrailEvent {
    const sessionId = "alice@example.com-0d2b6f1a9c3e5b7d4";
    return envelope(site, "ssm", time, id, {
        eventName: "StartSession",
        requestParameters: request,
        responseElements: {
            sessionId,
            tokenValue: "Value hidden due to security reasons.",
            streamUrl: `wss://ssmmessages.${site.region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe&cell-number=AAEAAQ`,
        },
    });
}

/** `ecs-exec forward` to `destination`: the forwarding document with its host and ports. */
export function portForwardingSession(site: EventSite, time: Date, destination: ForwardingTarget): CloudTrailEvent {
    const sent = forwardingRequest(ecsSessionTarget(site.clusterName, TASK_ID, RUNTIME_ID), destination, destination.port);
    return startSession(site, time, "4f5a6b7c-8d9e-4f0a-9b2c-3d4e5f6a7b8c", {
        target: sent.Target,
        documentName: sent.DocumentName,
        parameters: sent.Parameters,
    });
}

/** Forwarding through a task to a listener in the task itself, 127.0.0.1:22: no destination a stack lists. */
export function unlistedForwardingSession(site: EventSite, time: Date): CloudTrailEvent {
    const event = portForwardingSession(site, time, { name: "loopback", host: "127.0.0.1", port: 22 });
    event.id = "6b7c8d9e-0f1a-4b2c-9d3e-5f6a7b8c9d0e";
    return event;
}

/** A StartSession with no document: Session Manager's default shell, which bypasses ECS Exec's session logging. */
export function shellSession(site: EventSite, time: Date): CloudTrailEvent {
    return startSession(site, time, "5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d", { target: ecsSessionTarget(site.clusterName, TASK_ID, RUNTIME_ID) });
}

/** A call on a link of the audit chain, as ExecuteCommand's record shows a call: `service` names its endpoint. */
export interface ChainCall {
    /** The service's endpoint prefix: `events`, `cloudtrail`, `sns`, `monitoring`, `logs`, `kms`, `ecs`, `iam`. */
    service: string;
    eventName: string;
    /** The request's members (first letter lower-cased, as CloudTrail records them), or null as some refusals show. */
    requestParameters: Record<string, unknown> | null;
    responseElements?: Record<string, unknown> | null;
    /** A refused call: its error, and no response. */
    error?: { code: string; message: string };
}

/**
 * A CloudTrail record of a call on the audit chain, made by the same caller as the other events. Its `source` is
 * `aws.<service>`: the chain's patterns match `detail.eventSource`, whatever the envelope's source says.
 */
export function auditChainCall(where: Where, time: Date, call: ChainCall): CloudTrailEvent {
    const event = envelope(where, call.service, time, "3e1f5a7c-9b2d-4c6e-8f0a-1b3c5d7e9f21", {
        eventName: call.eventName,
        requestParameters: call.requestParameters,
        responseElements: call.error ? null : (call.responseElements ?? null),
        ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
    });
    event.detail.userAgent = "aws-cli/2.27.50 md/awscrt#0.26.1 ua/2.1 os/linux#6.8 md/arch#x86_64 lang/python#3.13.4";
    return event;
}

/** Disabling an EventBridge rule of the default bus (EventBridge API reference, DisableRule: `Name`). */
export function disableRule(where: Where, time: Date, ruleName: string): CloudTrailEvent {
    return auditChainCall(where, time, { service: "events", eventName: "DisableRule", requestParameters: { name: ruleName } });
}

/** Stopping a trail (CloudTrail API reference, StopLogging: `Name`, the trail's name or ARN). */
export function stopLogging(where: Where, time: Date, trailName: string): CloudTrailEvent {
    return auditChainCall(where, time, { service: "cloudtrail", eventName: "StopLogging", requestParameters: { name: trailName } });
}
