/**
 * Events for events:TestEventPattern, as EventBridge delivers CloudTrail records on the default bus: the shape of
 * the shared fixture (test/fixtures/cloudtrail/), placed in the stack's account, region and cluster. A test keeps
 * the shapes equal.
 */

/** Where the events happen. */
export interface EventSite {
    account: string;
    region: string;
    partition: string;
    clusterName: string;
    containerName: string;
}

export type CloudTrailEvent = Record<string, unknown> & { detail: Record<string, any> };

/** A task id of the exec cluster, made up. */
const TASK_ID = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";
const SESSION_ROLE = "AWSReservedSSO_Developer_0123456789abcdef";

function envelope(site: EventSite, time: Date, id: string, detail: Record<string, unknown>): CloudTrailEvent {
    const at = time.toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
        version: "0",
        id,
        "detail-type": "AWS API Call via CloudTrail",
        source: "aws.ecs",
        account: site.account,
        time: at,
        region: site.region,
        resources: [],
        detail: {
            eventVersion: "1.08",
            userIdentity: {
                type: "AssumedRole",
                principalId: "AROAEXAMPLEROLEID123:alice@example.com",
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
            eventSource: "ecs.amazonaws.com",
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
            tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", clientProvidedHostHeader: `ecs.${site.region}.amazonaws.com` },
        },
    };
}

const ecsArn = (site: EventSite, resource: string) => `arn:${site.partition}:ecs:${site.region}:${site.account}:${resource}`;

/** An ExecuteCommand call that opened a session in the exec container. */
export function executeCommandOpened(site: EventSite, time: Date): CloudTrailEvent {
    const taskArn = ecsArn(site, `task/${site.clusterName}/${TASK_ID}`);
    const sessionId = "ecs-execute-command-0a1b2c3d4e5f6a7b8";
    return envelope(site, time, "6a7e8feb-b491-4cf7-a9f1-bf3703467718", {
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

/** Someone starting the application's own task in another cluster, exec off: no alert of the stack is about it. */
export function otherRunTask(site: EventSite, time: Date): CloudTrailEvent {
    const cluster = "payments";
    const taskArn = ecsArn(site, `task/${cluster}/1a2b3c4d5e6f70819283a4b5c6d7e8f9`);
    return envelope(site, time, "8c9a0b1d-d6b3-4e1a-82f3-d1a5925689ba", {
        eventName: "RunTask",
        requestParameters: {
            cluster,
            taskDefinition: "orders-api:42",
            count: 1,
            launchType: "FARGATE",
            enableExecuteCommand: false,
            networkConfiguration: {
                awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp: "DISABLED" },
            },
        },
        responseElements: {
            tasks: [{ taskArn, clusterArn: ecsArn(site, `cluster/${cluster}`), taskDefinitionArn: ecsArn(site, "task-definition/orders-api:42") }],
            failures: [],
        },
    });
}
