/**
 * A deployed stack in a small AWS account on 127.0.0.1, for `ecs-exec doctor`: built from the synthesized stack (its
 * cluster, log group, keys, task definition, roles and policies, security group, rules, targets, alarms, topic,
 * subscriptions and trail, as the program declares them) plus what AWS adds (a VPC with public subnets behind an
 * internet gateway, as awsx creates for dev; running exec tasks), in the state a test chooses.
 *
 * It speaks each service's real wire protocol, as the AWS SDK v3 clients of this release use it (see each client's
 * protocol in its package): JSON 1.1 for ECS, CloudWatch Logs, EventBridge, CloudTrail and KMS, JSON 1.0 for
 * CloudWatch and SQS (both query-compatible), the query protocol with XML answers for STS, IAM and SNS, and EC2's query protocol.
 * The service is read from the request's SigV4 credential scope, the operation from X-Amz-Target or Action.
 *
 * Every request is authorized as IAM would: the caller's policies (as attached in `state.principals`) evaluated by
 * the IAM simulator on the resources and condition keys the Service Authorization Reference gives the action; a
 * refusal is answered in the service's own error shape. SimulatePrincipalPolicy is answered by the same simulator,
 * TestEventPattern by the EventBridge matcher model (test/support/eventPattern.ts).
 */
import * as http from "http";
import type { AddressInfo } from "net";
import type { EventPattern } from "../../../components/audit";
import { matches } from "../../support/eventPattern";
import { simulate, simulateUnvalidated } from "../../support/iam";
import type { SynthResult } from "../../../synth/synth";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
const SSO_ROLE_NAME = "AWSReservedSSO_Developer_0123456789abcdef";
export const CALLER = {
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SSO_ROLE_NAME}/alice@example.com`,
    userId: "AROAEXAMPLEROLEID123:alice@example.com",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE_NAME}`,
};
export const COLLEAGUE = "AROAEXAMPLEROLEID123:carol@example.com";

/** Who calls: the ARN STS reports, `aws:userid`, and the IAM entity whose policies apply (`aws:PrincipalArn`). */
export interface Identity {
    arn: string;
    userId: string;
    /** The role of a role session, or the user itself. */
    entityArn: string;
}

type Json = any;

export interface FakeTask {
    id: string;
    owner: string;
    lastStatus: string;
    agent: string;
    agentReason?: string;
    eniId: string;
    subnetId: string;
    groups: string[];
    publicIp?: string;
    startedAt: Date;
    platformVersion: string;
}

/** A KMS key as DescribeKey answers it; `deletionDate` while it is pending deletion. */
export interface FakeKey {
    arn: string;
    state: string;
    spec: string;
    usage: string;
    rotation: boolean;
    policy: string;
    deletionDate?: Date;
}

export interface Subscription {
    arn: string;
    endpoint: string;
}

/** Everything the account holds; tests change it to inject faults. */
export interface AccountState {
    caller: Identity;
    /** IAM principals (role or user ARN, with path) and their policies. */
    principals: Map<string, Record<string, Json>>;
    /** The exec key. */
    key: FakeKey;
    /** The audit key, which the alert topic names. */
    auditKey: FakeKey;
    cluster: { name: string; status: string; configuration: Json };
    logGroup: { name: string; kmsKeyId?: string; retentionInDays?: number };
    taskDefinition: Json;
    taskDefinitionTags: { key: string; value: string }[];
    tasks: FakeTask[];
    vpc: { id: string; cidr: string; dnsSupport: boolean; dnsHostnames: boolean };
    subnets: { id: string; cidr: string; az: string }[];
    routeTables: { id: string; subnetIds: string[]; main: boolean; routes: Json[] }[];
    nacls: { id: string; subnetIds: string[]; entries: Json[] }[];
    endpoints: Json[];
    securityGroups: Map<string, { ingress: Json[]; egress: Json[] }>;
    rules: Map<string, { state: string; pattern: string; targets: Json[] }>;
    failedInvocations: Map<string, number>;
    alarms: Json[];
    /** Messages in the alerts' dead-letter queue. */
    deadLetters: number;
    topicArn: string;
    /** The topic's KmsMasterKeyId attribute. */
    topicKmsMasterKeyId?: string;
    subscriptions: Subscription[];
    trail: { name: string; arn: string; logging: boolean; selectors: Json[]; multiRegion: boolean };
}

export interface RecordedCall {
    service: string;
    operation: string;
    /** The IAM action and the resources it was authorized on. */
    action: string;
    resources: string[];
    context: Record<string, string>;
    allowed: boolean;
}

const resourcesOf = (synth: SynthResult, type: string) => synth.resources.filter((r) => r.type === type);
const one = (synth: SynthResult, type: string, name?: string) => {
    const found = resourcesOf(synth, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} ${name ?? ""} in the synth, found ${found.length}`);
    }
    return found[0].inputs as Json;
};

/** The healthy state of a deployed dev stack, from its synth. */
export function healthyState(deployed: SynthResult): AccountState {
    // A copy: faults change the state, never the synth other tests share.
    const synth = JSON.parse(JSON.stringify(deployed)) as SynthResult;
    const o = synth.outputs as Json;
    const developerPolicy = JSON.parse(one(synth, "aws:iam/policy:Policy", "exec-access-policy").policy);
    const doctorPolicy = JSON.parse(one(synth, "aws:iam/policy:Policy", "doctor-access-policy").policy);
    const taskRolePolicy = JSON.parse(one(synth, "aws:iam/rolePolicy:RolePolicy", "exec-task-task-role-policy").policy);
    const key = one(synth, "aws:kms/key:Key", "session-logging-key");
    const auditKey = one(synth, "aws:kms/key:Key", "exec-audit-key");
    const topic = one(synth, "aws:sns/topic:Topic");
    const cluster = one(synth, "aws:ecs/cluster:Cluster");
    const logGroup = one(synth, "aws:cloudwatch/logGroup:LogGroup", "session-logging-sessions");
    const td = one(synth, "aws:ecs/taskDefinition:TaskDefinition");
    const group = one(synth, "aws:ec2/securityGroup:SecurityGroup", "exec-network-task");
    const vpc = one(synth, "awsx:ec2:Vpc");
    const trail = one(synth, "aws:cloudtrail/trail:Trail");
    // ExecAudit names each alert's rule `<component>-<id>-rule` and its target `<component>-<id>-target`.
    const targets = new Map(resourcesOf(synth, "aws:cloudwatch/eventTarget:EventTarget").map((r) => [r.name, r.inputs as Json]));
    const rules = new Map(
        resourcesOf(synth, "aws:cloudwatch/eventRule:EventRule").map((r) => {
            const rule = r.inputs as Json;
            const target = targets.get(r.name.replace(/-rule$/, "-target"));
            const deployed = target && {
                Id: "alert",
                Arn: target.arn,
                InputTransformer: target.inputTransformer,
                RetryPolicy: { MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds },
                DeadLetterConfig: { Arn: target.deadLetterConfig.arn },
            };
            return [rule.name, { state: "ENABLED", pattern: rule.eventPattern, targets: deployed ? [deployed] : [] }];
        }),
    );
    const subnets = (o.subnetIds as string[]).map((id, i) => ({ id, cidr: `10.0.${i * 16}.0/20`, az: `${REGION}${"ab"[i]}` }));
    const igw = "igw-0a1b2c3d4e5f60789";
    const started = new Date("2026-03-14T09:20:00Z");
    return {
        caller: { arn: CALLER.arn, userId: CALLER.userId, entityArn: CALLER.roleArn },
        principals: new Map<string, Record<string, Json>>([
            [CALLER.roleArn, { [`dev-ecs-exec-developer`]: developerPolicy, [`dev-ecs-exec-doctor`]: doctorPolicy }],
            [o.taskRoleArn, { "ecs-exec-agent": taskRolePolicy }],
        ]),
        key: { arn: o.kmsKeyArn, state: "Enabled", spec: key.customerMasterKeySpec, usage: key.keyUsage, rotation: key.enableKeyRotation, policy: key.policy },
        // The topic names the audit key by its ARN, as the program sets it.
        auditKey: { arn: topic.kmsMasterKeyId, state: "Enabled", spec: auditKey.customerMasterKeySpec, usage: auditKey.keyUsage, rotation: auditKey.enableKeyRotation, policy: auditKey.policy },
        cluster: { name: cluster.name, status: "ACTIVE", configuration: apiConfiguration(cluster.configuration) },
        logGroup: { name: logGroup.name, kmsKeyId: logGroup.kmsKeyId, retentionInDays: logGroup.retentionInDays },
        taskDefinition: {
            ...td,
            taskDefinitionArn: o.taskDefinitionArn,
            revision: 1,
            status: "ACTIVE",
            containerDefinitions: JSON.parse(td.containerDefinitions),
            tags: undefined,
        },
        taskDefinitionTags: Object.entries(td.tags as Record<string, string>).map(([k, v]) => ({ key: k, value: v })),
        tasks: [
            task("0a1b2c3d4e5f60718293a4b5c6d7e8f9", CALLER.userId, subnets[0].id, o.securityGroupId, started, "203.0.113.10"),
            task("1b2c3d4e5f60718293a4b5c6d7e8f90a", COLLEAGUE, subnets[1].id, o.securityGroupId, new Date(started.getTime() - 600_000), "203.0.113.11"),
        ],
        vpc: { id: o.vpcId, cidr: "10.0.0.0/16", dnsSupport: true, dnsHostnames: vpc.enableDnsHostnames === true },
        subnets,
        routeTables: [
            { id: "rtb-0a1b2c3d4e5f60700", subnetIds: [], main: true, routes: [local()] },
            ...subnets.map((s, i) => ({
                id: `rtb-0a1b2c3d4e5f6071${i}`,
                subnetIds: [s.id],
                main: false,
                routes: [local(), { destinationCidrBlock: "0.0.0.0/0", gatewayId: igw, state: "active" }],
            })),
        ],
        nacls: [{ id: "acl-0a1b2c3d4e5f60711", subnetIds: subnets.map((s) => s.id), entries: defaultNacl() }],
        endpoints: [],
        securityGroups: new Map([[o.securityGroupId as string, { ingress: [], egress: group.egress }]]),
        rules,
        failedInvocations: new Map(),
        alarms: resourcesOf(synth, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.inputs as Json),
        deadLetters: 0,
        topicArn: o.alertTopicArn,
        topicKmsMasterKeyId: topic.kmsMasterKeyId,
        subscriptions: resourcesOf(synth, "aws:sns/topicSubscription:TopicSubscription").map((r, i) => ({
            arn: `${o.alertTopicArn}:0a1b2c3d-4e5f-4a6b-8c7d-${String(i).padStart(12, "0")}`,
            endpoint: (r.inputs as Json).endpoint,
        })),
        trail: {
            name: trail.name,
            arn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${trail.name}`,
            logging: true,
            selectors: trail.eventSelectors,
            multiRegion: trail.isMultiRegionTrail,
        },
    };
}

/**
 * A cluster's configuration as ECS answers it: the provider's `s3BucketEncryptionEnabled` is the API's
 * `s3EncryptionEnabled` (ECS API reference, ExecuteCommandLogConfiguration).
 */
function apiConfiguration(configuration: Json): Json {
    const copy = JSON.parse(JSON.stringify(configuration));
    const log = copy.executeCommandConfiguration?.logConfiguration;
    if (log && "s3BucketEncryptionEnabled" in log) {
        log.s3EncryptionEnabled = log.s3BucketEncryptionEnabled;
        delete log.s3BucketEncryptionEnabled;
    }
    return copy;
}

const local = () => ({ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" });

/** A VPC's default network ACL: everything in and out, then the catch-all deny (VPC User Guide). */
function defaultNacl(): Json[] {
    return [true, false].flatMap((egress) => [
        { ruleNumber: 100, protocol: "-1", ruleAction: "allow", egress, cidrBlock: "0.0.0.0/0" },
        { ruleNumber: 32767, protocol: "-1", ruleAction: "deny", egress, cidrBlock: "0.0.0.0/0" },
    ]);
}

function task(id: string, owner: string, subnetId: string, group: string, startedAt: Date, publicIp: string): FakeTask {
    return {
        id,
        owner,
        lastStatus: "RUNNING",
        agent: "RUNNING",
        eniId: `eni-${id.slice(0, 17)}`,
        subnetId,
        groups: [group],
        publicIp,
        startedAt,
        platformVersion: "1.4.0",
    };
}

// ---- the wire --------------------------------------------------------------------------------------------------

class ServiceError extends Error {
    constructor(
        readonly code: string,
        message: string,
        readonly status = 400,
    ) {
        super(message);
    }
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** XML of a value: objects as elements, lists as `<member>` (query) or `<item>` (EC2) elements. */
function xml(value: Json, list: "member" | "item"): string {
    if (value === undefined || value === null) {
        return "";
    }
    if (Array.isArray(value)) {
        return value.map((v) => `<${list}>${xml(v, list)}</${list}>`).join("");
    }
    if (value instanceof Date) {
        return value.toISOString();
    }
    // A map of a query answer (SNS's attributes): <entry><key/><value/></entry>, one per pair.
    if (value instanceof Map) {
        return [...value].map(([k, v]) => `<entry><key>${escapeXml(String(k))}</key><value>${xml(v, list)}</value></entry>`).join("");
    }
    if (typeof value === "object") {
        return Object.entries(value)
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => `<${k}>${xml(v, list)}</${k}>`)
            .join("");
    }
    return escapeXml(String(value));
}

/** `Prefix.member.1`, `Prefix.1`: a list of a query request. */
function queryList(params: URLSearchParams, prefix: string): string[] {
    const values: string[] = [];
    for (let i = 1; ; i++) {
        const value = params.get(`${prefix}.member.${i}`) ?? params.get(`${prefix}.${i}`);
        if (value === null) {
            return values;
        }
        values.push(value);
    }
}

/** `Filter.N.Name` / `Filter.N.Value.M` of an EC2 request. */
function ec2Filters(params: URLSearchParams): Record<string, string[]> {
    const filters: Record<string, string[]> = {};
    for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
        filters[params.get(`Filter.${i}.Name`)!] = queryList(params, `Filter.${i}.Value`);
    }
    return filters;
}

const IAM_DECIDES = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};

const JSON_SHAPES: Record<string, string> = {
    ecs: "AmazonEC2ContainerServiceV20141113",
    logs: "Logs_20140328",
    events: "AWSEvents",
    cloudtrail: "CloudTrail_20131101",
    kms: "TrentService",
    monitoring: "GraniteServiceVersion20100801",
    sqs: "AmazonSQS",
};

/** Services of JSON 1.0 that are query-compatible: they name the query error code in a header (awsQueryCompatible). */
const JSON_1_0 = new Set(["monitoring", "sqs"]);

export class FakeAccount {
    readonly calls: RecordedCall[] = [];
    state: AccountState;
    url = "";
    /** Milliseconds every answer waits, as a slow network would. */
    latencyMs = 0;
    /**
     * Set, the account answers in rounds: it holds every request until the tool has sent all it can without another
     * answer (every answer of the round before given, then no new request for `roundQuietMs` and a few turns of the
     * event loop), and then answers the held requests together. A request can wait only on answers given before it
     * came, that is on earlier rounds: the number of rounds is at least the length of the tool's longest chain of
     * requests each sent after the answer to the one before.
     */
    roundQuietMs: number | undefined;
    /** How many requests each round answered, in order (with `roundQuietMs` set). */
    readonly rounds: number[] = [];
    /** Requests come and not yet answered, and the most there were at once. */
    inFlight = 0;
    maxInFlight = 0;
    private readonly server = http.createServer((req, res) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const round = this.roundQuietMs === undefined ? Promise.resolve(false) : this.nextRound();
        round
            .then(async (held) => {
                try {
                    await this.handle(req, res);
                } finally {
                    if (held) {
                        this.answering--;
                        this.armRound();
                    }
                }
            })
            .catch((e: unknown) => {
                res.writeHead(500).end(String((e as Error)?.stack ?? e));
            })
            .finally(() => this.inFlight--);
    });
    /** Requests waiting for the next round, those of the current round not yet answered, and every request come. */
    private readonly held: (() => void)[] = [];
    private answering = 0;
    private arrivals = 0;
    private roundTimer: NodeJS.Timeout | undefined;
    private readonly decisions = new Map<string, Promise<string>>();

    constructor(private readonly synth: SynthResult) {
        this.state = healthyState(synth);
    }

    private deadLetterQueueName(): string {
        return String((this.synth.outputs as Json).alertDeadLetterQueueUrl).split("/").pop()!;
    }

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    /** Back to the healthy deployment, calls, rounds and the most in flight forgotten. */
    reset(): void {
        this.state = healthyState(this.synth);
        this.calls.length = 0;
        this.rounds.length = 0;
        this.maxInFlight = this.inFlight;
    }

    /** The endpoint variables that send every client of the SDK here. */
    endpointEnv(): Record<string, string> {
        const services = ["ECS", "CLOUDWATCH_LOGS", "EVENTBRIDGE", "CLOUDTRAIL", "KMS", "CLOUDWATCH", "STS", "IAM", "SNS", "SQS", "EC2"];
        return Object.fromEntries(services.map((s) => [`AWS_ENDPOINT_URL_${s}`, this.url]));
    }

    /** Resolves (true) when the round this request came in for is answered. */
    private nextRound(): Promise<boolean> {
        this.arrivals++;
        return new Promise((resolve) => {
            this.held.push(() => resolve(true));
            this.armRound();
        });
    }

    /** Starts the wait for quiet when the round before is all answered and requests wait; a new request restarts it. */
    private armRound(): void {
        clearTimeout(this.roundTimer);
        if (this.roundQuietMs === undefined || this.answering > 0 || this.held.length === 0) {
            return;
        }
        const arrivals = this.arrivals;
        // The time, then turns of the event loop: after a pause of the whole process the timer can fire before the
        // tool has read the answers it has been sent; each turn lets it read, and send what follows.
        const release = (turns: number): void => {
            if (this.arrivals !== arrivals) {
                return;
            }
            if (turns > 0) {
                setImmediate(() => release(turns - 1));
                return;
            }
            const round = this.held.splice(0);
            this.rounds.push(round.length);
            this.answering += round.length;
            round.forEach((answer) => answer());
        };
        this.roundTimer = setTimeout(() => release(10), this.roundQuietMs);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
            chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization))?.[1] ?? "unknown";
        if (this.latencyMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
        }
        const target = req.headers["x-amz-target"];
        if (typeof target === "string") {
            // `<service shape>.<operation>`, the shape's name alone (the SDK) or with its namespace (botocore: for
            // CloudTrail, com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).
            const shape = JSON_SHAPES[service];
            const operation = target.slice(target.lastIndexOf(".") + 1);
            if (!shape || !(target === `${shape}.${operation}` || target.endsWith(`.${shape}.${operation}`))) {
                throw new Error(`unexpected target ${target} for ${service}`);
            }
            const contentType = JSON_1_0.has(service) ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
            try {
                const answer = await this.json(service, operation, JSON.parse(text || "{}"));
                res.writeHead(200, { "content-type": contentType }).end(JSON.stringify(answer));
            } catch (e) {
                if (!(e instanceof ServiceError)) {
                    throw e;
                }
                const headers: Record<string, string> = { "content-type": contentType, "x-amzn-errortype": e.code };
                if (JSON_1_0.has(service)) {
                    headers["x-amzn-query-error"] = `${e.code};Sender`;
                }
                res.writeHead(e.status, headers).end(JSON.stringify({ __type: e.code, message: e.message }));
            }
            return;
        }
        const params = new URLSearchParams(text);
        const operation = params.get("Action") ?? "(none)";
        try {
            const body = await this.query(service, operation, params);
            const namespace = {
                sts: "https://sts.amazonaws.com/doc/2011-06-15/",
                iam: "https://iam.amazonaws.com/doc/2010-05-08/",
                sns: "http://sns.amazonaws.com/doc/2010-03-31/",
                ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
            }[service];
            const requestId = "01234567-89ab-cdef-0123-456789abcdef";
            const document =
                service === "ec2"
                    ? `<${operation}Response xmlns="${namespace}"><requestId>${requestId}</requestId>${xml(body, "item")}</${operation}Response>`
                    : `<${operation}Response xmlns="${namespace}"><${operation}Result>${xml(body, "member")}</${operation}Result>` +
                      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
            res.writeHead(200, { "content-type": "text/xml" }).end(document);
        } catch (e) {
            if (!(e instanceof ServiceError)) {
                throw e;
            }
            const error = `<Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message>`;
            res.writeHead(e.status, { "content-type": "text/xml" }).end(
                service === "ec2"
                    ? `<Response><Errors><Error>${error}</Error></Errors><RequestID>01234567-89ab-cdef-0123-456789abcdef</RequestID></Response>`
                    : `<ErrorResponse><Error><Type>Sender</Type>${error}</Error><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ErrorResponse>`,
            );
        }
    }

    // ---- authorization -------------------------------------------------------------------------------------------

    /** The caller's request, decided by the simulator on its policies; refused in the service's shape. */
    private async authorize(service: string, operation: string, action: string, resources: string[], context: Record<string, string> = {}) {
        const caller = this.state.caller;
        const policies = this.state.principals.get(caller.entityArn) ?? {};
        const user: Record<string, string> = caller.arn.includes(":user/") ? { "aws:username": caller.arn.split("/").pop()! } : {};
        const full = { "aws:PrincipalArn": caller.entityArn, "aws:userid": caller.userId, ...user, ...context };
        let allowed = true;
        if (action !== "sts:GetCallerIdentity") {
            for (const resource of resources) {
                // KMS decides with the key's policy as well (AWS KMS Developer Guide, "Key policies").
                const keyPolicy = action.startsWith("kms:") ? JSON.parse(this.keyOf(resource)?.policy ?? this.state.key.policy) : undefined;
                const decision = await this.decide(caller.arn, action, resource, full, policies, keyPolicy);
                allowed &&= decision === "Allowed";
            }
        }
        this.calls.push({ service, operation, action, resources, context, allowed });
        if (!allowed) {
            const message = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resources[0]} because no identity-based policy allows the ${action} action`;
            const code = { ec2: "UnauthorizedOperation", sns: "AuthorizationError", iam: "AccessDenied", monitoring: "AccessDenied" }[service] ?? "AccessDeniedException";
            throw new ServiceError(code, message, service === "sns" || service === "iam" || service === "ec2" || service === "monitoring" ? 403 : 400);
        }
    }

    /**
     * One simulation, remembered: the same request against the same policies decides the same. `lenient`, for
     * SimulatePrincipalPolicy, which evaluates every action it is given on every resource, an action on another's
     * resource included: the same evaluation without the validating engine's input checks (the offline proof runs
     * doctor's own requests through them, test/access.test.ts).
     */
    private decide(
        principal: string,
        action: string,
        resource: string,
        context: Record<string, string | string[]>,
        policies: Record<string, Json>,
        resourcePolicy?: Json,
        lenient = false,
    ): Promise<string> {
        const key = JSON.stringify([principal, action, resource, context, policies, resourcePolicy, lenient]);
        let decision = this.decisions.get(key);
        if (!decision) {
            const request = { principal, action, resource, context, identityPolicies: policies, resourcePolicy };
            // `*` for an action with an optional resource type (cloudwatch:GetMetricData of metrics, not datasets): the
            // validating engine wants one concrete resource, so the same evaluation without its input checks.
            decision = lenient
                ? Promise.resolve(simulateUnvalidated(request))
                : simulate(request).then(
                      (d) => d.decision,
                      (e: Error) => (resource === "*" && /one concrete resource/.test(e.message) ? simulateUnvalidated(request) : Promise.reject(e)),
                  );
            this.decisions.set(key, decision);
        }
        return decision;
    }

    /** An alarm on a rule's undelivered events, or on the dead-letter queue, as its metrics stand. */
    private alarmState(alarm: Json): "ALARM" | "OK" {
        if (alarm.namespace === "AWS/SQS") {
            return this.state.deadLetters > 0 ? "ALARM" : "OK";
        }
        const rule = alarm.metricQueries?.find((q: Json) => q.metric).metric.dimensions.RuleName ?? alarm.dimensions.RuleName;
        return (this.state.failedInvocations.get(rule) ?? 0) > 0 ? "ALARM" : "OK";
    }

    /** The key a KeyId names: its ARN, as doctor names both. */
    private keyOf(keyId: string): FakeKey | undefined {
        return [this.state.key, this.state.auditKey].find((k) => k.arn === keyId);
    }

    private arn(service: string, resource: string): string {
        return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    }

    // ---- JSON services -------------------------------------------------------------------------------------------

    private async json(service: string, operation: string, body: Json): Promise<Json> {
        const s = this.state;
        const clusterArn = this.arn("ecs", `cluster/${s.cluster.name}`);
        switch (`${service}:${operation}`) {
            case "ecs:DescribeClusters":
                await this.authorize(service, operation, "ecs:DescribeClusters", body.clusters.map((c: string) => this.arn("ecs", `cluster/${c}`)));
                return body.clusters.includes(s.cluster.name)
                    ? { clusters: [{ clusterArn, clusterName: s.cluster.name, status: s.cluster.status, configuration: s.cluster.configuration }], failures: [] }
                    : { clusters: [], failures: [{ arn: body.clusters[0], reason: "MISSING" }] };
            case "ecs:DescribeTaskDefinition":
                await this.authorize(service, operation, "ecs:DescribeTaskDefinition", ["*"]);
                if (body.taskDefinition !== s.taskDefinition.family) {
                    throw new ServiceError("ClientException", "Unable to describe task definition.");
                }
                return { taskDefinition: s.taskDefinition, tags: (body.include ?? []).includes("TAGS") ? s.taskDefinitionTags : undefined };
            case "ecs:ListTasks":
                // A container instance of the cluster: ListTasks' resource type (Service Authorization Reference), as the offline proof gives it.
                await this.authorize(service, operation, "ecs:ListTasks", [this.arn("ecs", `container-instance/${body.cluster}/0123456789abcdef`)], {
                    "ecs:cluster": this.arn("ecs", `cluster/${body.cluster}`),
                });
                return { taskArns: body.cluster === s.cluster.name ? s.tasks.filter((t) => t.lastStatus !== "STOPPED").map((t) => this.taskArn(t.id)) : [] };
            case "ecs:DescribeTasks": {
                const arns = (body.tasks as string[]).map((t) => (t.startsWith("arn:") ? t : this.taskArn(t)));
                await this.authorize(service, operation, "ecs:DescribeTasks", arns, { "ecs:cluster": clusterArn });
                const found = arns.map((arn) => s.tasks.find((t) => this.taskArn(t.id) === arn)).filter((t) => t !== undefined);
                return {
                    tasks: found.map((t) => this.describeTask(t, (body.include ?? []).includes("TAGS"))),
                    failures: arns.filter((a) => !found.some((t) => this.taskArn(t.id) === a)).map((arn) => ({ arn, reason: "MISSING" })),
                };
            }
            case "logs:DescribeLogGroups":
                await this.authorize(service, operation, "logs:DescribeLogGroups", ["*"]);
                return {
                    logGroups: s.logGroup.name.startsWith(body.logGroupNamePrefix ?? "")
                        ? [{ logGroupName: s.logGroup.name, arn: `${this.arn("logs", `log-group:${s.logGroup.name}`)}:*`, kmsKeyId: s.logGroup.kmsKeyId, retentionInDays: s.logGroup.retentionInDays }]
                        : [],
                };
            case "kms:DescribeKey":
            case "kms:GetKeyRotationStatus":
            case "kms:GetKeyPolicy": {
                await this.authorize(service, operation, `kms:${operation}`, [body.KeyId]);
                const key = this.keyOf(body.KeyId);
                // A deleted key is unknown to KMS.
                if (!key || key.state === "Deleted") {
                    throw new ServiceError("NotFoundException", `Key '${body.KeyId}' does not exist`);
                }
                if (operation === "DescribeKey") {
                    return {
                        KeyMetadata: {
                            KeyId: key.arn.split("/").pop(),
                            Arn: key.arn,
                            KeyState: key.state,
                            Enabled: key.state === "Enabled",
                            KeySpec: key.spec,
                            KeyUsage: key.usage,
                            KeyManager: "CUSTOMER",
                            // JSON 1.1 timestamps: seconds since the epoch.
                            DeletionDate: key.deletionDate ? key.deletionDate.getTime() / 1000 : undefined,
                        },
                    };
                }
                return operation === "GetKeyPolicy" ? { Policy: key.policy, PolicyName: "default" } : { KeyRotationEnabled: key.rotation };
            }
            case "events:DescribeRule":
            case "events:ListTargetsByRule": {
                const name = body.Name ?? body.Rule;
                await this.authorize(service, operation, `events:${operation}`, [this.arn("events", `rule/${name}`)]);
                const rule = s.rules.get(name);
                if (!rule) {
                    throw new ServiceError("ResourceNotFoundException", `Rule ${name} does not exist.`);
                }
                return operation === "DescribeRule"
                    ? { Name: name, Arn: this.arn("events", `rule/${name}`), EventPattern: rule.pattern, State: rule.state, EventBusName: "default" }
                    : { Targets: rule.targets };
            }
            case "events:TestEventPattern": {
                await this.authorize(service, operation, "events:TestEventPattern", ["*"]);
                // "the following fields are mandatory: id, account, source, time, region, resources, detail-type"; the
                // pattern at most 4096 characters (EventBridge API reference, TestEventPattern).
                const event = JSON.parse(body.Event);
                for (const field of ["id", "account", "source", "time", "region", "resources", "detail-type"]) {
                    if (!(field in event)) {
                        throw new ServiceError("InvalidEventPatternException", `Event is missing ${field}`);
                    }
                }
                if (body.EventPattern.length > 4096) {
                    throw new ServiceError("ValidationException", "EventPattern is longer than 4096 characters");
                }
                return { Result: matches(JSON.parse(body.EventPattern) as EventPattern, event) };
            }
            case "monitoring:GetMetricData": {
                await this.authorize(service, operation, "cloudwatch:GetMetricData", ["*"]);
                return {
                    MetricDataResults: (body.MetricDataQueries as Json[]).map((q) => {
                        const metric = q.MetricStat.Metric;
                        const rule = metric.Dimensions.find((d: Json) => d.Name === "RuleName").Value;
                        // One delivery per rule; undelivered events only where a test injects failures.
                        const value = metric.MetricName === "Invocations" ? 1 : metric.MetricName === "FailedInvocations" ? s.failedInvocations.get(rule) ?? 0 : 0;
                        return { Id: q.Id, Label: metric.MetricName, StatusCode: "Complete", Timestamps: value ? [Date.parse("2026-03-14T09:00:00Z") / 1000] : [], Values: value ? [value] : [] };
                    }),
                };
            }
            case "monitoring:DescribeAlarms": {
                const names = body.AlarmNames as string[];
                await this.authorize(service, operation, "cloudwatch:DescribeAlarms", names.map((n) => this.arn("cloudwatch", `alarm:${n}`)));
                return {
                    MetricAlarms: s.alarms
                        .filter((a) => names.includes(a.name))
                        .map((a) => ({
                            AlarmName: a.name,
                            AlarmArn: this.arn("cloudwatch", `alarm:${a.name}`),
                            ActionsEnabled: true,
                            AlarmActions: a.alarmActions,
                            StateValue: this.alarmState(a),
                            StateReason: "Threshold Crossed",
                            MetricName: a.metricName,
                            Namespace: a.namespace,
                            Metrics: a.metricQueries?.map((q: Json) => ({ Id: q.id, Expression: q.expression, ReturnData: q.returnData })),
                        })),
                };
            }
            case "sqs:GetQueueAttributes": {
                // QueueUrl: https://sqs.<region>.amazonaws.com/<account>/<name> (SQS Developer Guide, queue URLs).
                const [, account, name] = /\/(\d{12})\/([^/]+)$/.exec(body.QueueUrl) ?? [];
                await this.authorize(service, operation, "sqs:GetQueueAttributes", [`arn:aws:sqs:${REGION}:${account}:${name}`]);
                if (!body.QueueUrl.endsWith(`/${ACCOUNT}/${this.deadLetterQueueName()}`)) {
                    throw new ServiceError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
                }
                const all: Record<string, string> = { ApproximateNumberOfMessages: String(s.deadLetters), ApproximateNumberOfMessagesNotVisible: "0" };
                return { Attributes: Object.fromEntries((body.AttributeNames as string[]).map((n) => [n, all[n]])) };
            }
            case "cloudtrail:DescribeTrails": {
                await this.authorize(service, operation, "cloudtrail:DescribeTrails", ["*"]);
                const names = body.trailNameList as string[] | undefined;
                const list = !names || names.includes(s.trail.name) || names.includes(s.trail.arn) ? [s.trail] : [];
                return { trailList: list.map((t) => ({ Name: t.name, TrailARN: t.arn, HomeRegion: REGION, IsMultiRegionTrail: t.multiRegion, IsOrganizationTrail: false })) };
            }
            case "cloudtrail:GetTrailStatus":
            case "cloudtrail:GetEventSelectors": {
                const name = body.Name ?? body.TrailName;
                await this.authorize(service, operation, `cloudtrail:${operation}`, [name.startsWith("arn:") ? name : this.arn("cloudtrail", `trail/${name}`)]);
                if (name !== s.trail.arn && name !== s.trail.name) {
                    throw new ServiceError("TrailNotFoundException", `Unknown trail: ${name}`);
                }
                return operation === "GetTrailStatus"
                    ? { IsLogging: s.trail.logging }
                    : {
                          TrailARN: s.trail.arn,
                          EventSelectors: s.trail.selectors.map((e: Json) => ({ ReadWriteType: e.readWriteType, IncludeManagementEvents: e.includeManagementEvents })),
                      };
            }
            default:
                throw new ServiceError("UnknownOperationException", `${service} ${operation} is not part of this stand-in`);
        }
    }

    private taskArn(id: string): string {
        return this.arn("ecs", `task/${this.state.cluster.name}/${id}`);
    }

    private describeTask(t: FakeTask, withTags: boolean): Json {
        const seconds = (d: Date) => d.getTime() / 1000;
        const container = this.state.taskDefinition.containerDefinitions[0].name;
        return {
            taskArn: this.taskArn(t.id),
            clusterArn: this.arn("ecs", `cluster/${this.state.cluster.name}`),
            taskDefinitionArn: this.state.taskDefinition.taskDefinitionArn,
            lastStatus: t.lastStatus,
            desiredStatus: "RUNNING",
            enableExecuteCommand: true,
            launchType: "FARGATE",
            platformVersion: t.platformVersion,
            createdAt: seconds(t.startedAt),
            startedAt: seconds(t.startedAt),
            tags: withTags ? [{ key: "Owner", value: t.owner }] : undefined,
            attachments: [
                {
                    id: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
                    type: "ElasticNetworkInterface",
                    status: "ATTACHED",
                    details: [
                        { name: "subnetId", value: t.subnetId },
                        { name: "networkInterfaceId", value: t.eniId },
                        { name: "privateIPv4Address", value: "10.0.3.17" },
                    ],
                },
            ],
            containers: [
                {
                    name: container,
                    runtimeId: `${t.id}-1527056392`,
                    lastStatus: "RUNNING",
                    managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: t.agent, reason: t.agentReason }],
                },
            ],
        };
    }

    // ---- query services ------------------------------------------------------------------------------------------

    private async query(service: string, operation: string, p: URLSearchParams): Promise<Json> {
        const s = this.state;
        const ec2Region = { "ec2:Region": REGION };
        switch (`${service}:${operation}`) {
            case "sts:GetCallerIdentity":
                await this.authorize(service, operation, "sts:GetCallerIdentity", []);
                return { Arn: s.caller.arn, UserId: s.caller.userId, Account: ACCOUNT };
            case "iam:GetRole": {
                const name = p.get("RoleName")!;
                const arn = [...s.principals.keys()].find((a) => a.split("/").pop() === name);
                await this.authorize(service, operation, "iam:GetRole", [arn ?? `arn:aws:iam::${ACCOUNT}:role/${name}`]);
                if (!arn) {
                    throw new ServiceError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
                }
                const path = arn.split(":role")[1].slice(0, -name.length);
                return { Role: { Path: path, RoleName: name, RoleId: "AROAEXAMPLEROLEID123", Arn: arn, CreateDate: new Date("2026-01-05T10:00:00Z") } };
            }
            case "iam:SimulatePrincipalPolicy":
                return this.simulatePrincipalPolicy(p);
            case "sns:GetTopicAttributes": {
                const topic = p.get("TopicArn")!;
                await this.authorize(service, operation, "sns:GetTopicAttributes", [topic]);
                if (topic !== s.topicArn) {
                    throw new ServiceError("NotFound", "Topic does not exist", 404);
                }
                const attributes: [string, string | undefined][] = [
                    ["TopicArn", topic],
                    ["Owner", ACCOUNT],
                    ["KmsMasterKeyId", s.topicKmsMasterKeyId],
                    ["SubscriptionsConfirmed", String(s.subscriptions.filter((x) => x.arn.startsWith("arn:")).length)],
                ];
                return { Attributes: new Map(attributes.filter(([, v]) => v !== undefined)) };
            }
            case "sns:ListSubscriptionsByTopic": {
                const topic = p.get("TopicArn")!;
                await this.authorize(service, operation, "sns:ListSubscriptionsByTopic", [topic]);
                return {
                    Subscriptions: (topic === s.topicArn ? s.subscriptions : []).map((x) => ({
                        SubscriptionArn: x.arn,
                        Owner: ACCOUNT,
                        Protocol: "email",
                        Endpoint: x.endpoint,
                        TopicArn: topic,
                    })),
                };
            }
            case "ec2:DescribeSubnets": {
                await this.authorize(service, operation, "ec2:DescribeSubnets", ["*"], ec2Region);
                const ids = queryList(p, "SubnetId");
                const unknown = ids.find((id) => !s.subnets.some((x) => x.id === id));
                if (unknown) {
                    throw new ServiceError("InvalidSubnetID.NotFound", `The subnet ID '${unknown}' does not exist`);
                }
                return {
                    subnetSet: s.subnets
                        .filter((x) => ids.includes(x.id))
                        .map((x) => ({ subnetId: x.id, vpcId: s.vpc.id, cidrBlock: x.cidr, availabilityZone: x.az, ownerId: ACCOUNT, state: "available" })),
                };
            }
            case "ec2:DescribeRouteTables":
                await this.authorize(service, operation, "ec2:DescribeRouteTables", ["*"], ec2Region);
                this.requireVpcFilter(p);
                return {
                    routeTableSet: s.routeTables.map((t) => ({
                        routeTableId: t.id,
                        vpcId: s.vpc.id,
                        routeSet: t.routes,
                        associationSet: [
                            ...(t.main ? [{ routeTableAssociationId: `rtbassoc-${t.id.slice(4)}`, routeTableId: t.id, main: true }] : []),
                            ...t.subnetIds.map((subnetId) => ({ routeTableAssociationId: `rtbassoc-${subnetId.slice(7)}`, routeTableId: t.id, subnetId, main: false })),
                        ],
                    })),
                };
            case "ec2:DescribeNetworkAcls":
                await this.authorize(service, operation, "ec2:DescribeNetworkAcls", ["*"], ec2Region);
                this.requireVpcFilter(p);
                return {
                    networkAclSet: s.nacls.map((a) => ({
                        networkAclId: a.id,
                        vpcId: s.vpc.id,
                        isDefault: true,
                        entrySet: a.entries.map((e) => ({ ...e, portRange: e.from !== undefined ? { from: e.from, to: e.to } : undefined, from: undefined, to: undefined })),
                        associationSet: a.subnetIds.map((subnetId) => ({ networkAclAssociationId: `aclassoc-${subnetId.slice(7)}`, networkAclId: a.id, subnetId })),
                    })),
                };
            case "ec2:DescribeVpcEndpoints":
                await this.authorize(service, operation, "ec2:DescribeVpcEndpoints", ["*"], ec2Region);
                this.requireVpcFilter(p);
                return { vpcEndpointSet: s.endpoints };
            case "ec2:DescribeSecurityGroups": {
                await this.authorize(service, operation, "ec2:DescribeSecurityGroups", ["*"], ec2Region);
                const ids = queryList(p, "GroupId");
                const permission = (r: Json) => ({
                    ipProtocol: r.protocol,
                    fromPort: r.fromPort,
                    toPort: r.toPort,
                    ipRanges: (r.cidrBlocks ?? []).map((cidrIp: string) => ({ cidrIp })),
                    prefixListIds: (r.prefixListIds ?? []).map((prefixListId: string) => ({ prefixListId })),
                    groups: (r.securityGroups ?? []).map((groupId: string) => ({ groupId, userId: ACCOUNT })),
                });
                return {
                    securityGroupInfo: ids
                        .filter((id) => s.securityGroups.has(id))
                        .map((id) => ({
                            groupId: id,
                            vpcId: s.vpc.id,
                            ownerId: ACCOUNT,
                            ipPermissions: s.securityGroups.get(id)!.ingress.map(permission),
                            ipPermissionsEgress: s.securityGroups.get(id)!.egress.map(permission),
                        })),
                };
            }
            case "ec2:DescribeVpcAttribute": {
                const vpc = p.get("VpcId")!;
                await this.authorize(service, operation, "ec2:DescribeVpcAttribute", [this.arn("ec2", `vpc/${vpc}`)], ec2Region);
                const attribute = p.get("Attribute")!;
                const value = attribute === "enableDnsSupport" ? s.vpc.dnsSupport : s.vpc.dnsHostnames;
                return { vpcId: vpc, [attribute]: { value } };
            }
            case "ec2:DescribeNetworkInterfaces": {
                await this.authorize(service, operation, "ec2:DescribeNetworkInterfaces", ["*"], ec2Region);
                const ids = queryList(p, "NetworkInterfaceId");
                return {
                    networkInterfaceSet: s.tasks
                        .filter((t) => ids.includes(t.eniId))
                        .map((t) => ({
                            networkInterfaceId: t.eniId,
                            subnetId: t.subnetId,
                            vpcId: s.vpc.id,
                            interfaceType: "interface",
                            groupSet: t.groups.map((groupId) => ({ groupId })),
                            association: t.publicIp ? { publicIp: t.publicIp } : undefined,
                        })),
                };
            }
            default:
                throw new ServiceError("InvalidAction", `${service} ${operation} is not part of this stand-in`);
        }
    }

    private requireVpcFilter(p: URLSearchParams): void {
        if (ec2Filters(p)["vpc-id"]?.[0] !== this.state.vpc.id) {
            throw new Error(`expected a vpc-id filter of ${this.state.vpc.id}: ${p.toString()}`);
        }
    }

    /** IAM's simulation of an entity of this account: its policies, and those the request adds. */
    private async simulatePrincipalPolicy(p: URLSearchParams): Promise<Json> {
        const source = p.get("PolicySourceArn")!;
        await this.authorize("iam", "SimulatePrincipalPolicy", "iam:SimulatePrincipalPolicy", [source]);
        const attached = this.state.principals.get(source);
        if (!attached) {
            throw new ServiceError("NoSuchEntity", `The entity ${source} cannot be found.`, 404);
        }
        const extra = Object.fromEntries(queryList(p, "PolicyInputList").map((doc, i) => [`PolicyInputList.${i + 1}`, JSON.parse(doc)]));
        const context: Record<string, string | string[]> = {};
        for (let i = 1; p.has(`ContextEntries.member.${i}.ContextKeyName`); i++) {
            const values = queryList(p, `ContextEntries.member.${i}.ContextKeyValues`);
            context[p.get(`ContextEntries.member.${i}.ContextKeyName`)!] =
                p.get(`ContextEntries.member.${i}.ContextKeyType`)?.endsWith("List") ? values : values[0];
        }
        const resourcePolicy = p.get("ResourcePolicy") ? JSON.parse(p.get("ResourcePolicy")!) : undefined;
        // A role's policies apply to its sessions: simulate one.
        const principal = source.includes(":role/") ? `arn:aws:sts::${ACCOUNT}:assumed-role/${source.split("/").pop()}/simulation` : source;
        const results = [];
        const resources = queryList(p, "ResourceArns");
        for (const action of queryList(p, "ActionNames")) {
            for (const resource of resources.length > 0 ? resources : ["*"]) {
                // IAM's simulation reads no key policy unless given one; the simulator here needs one for KMS, so it gets
                // the statement that leaves the decision to IAM policies (what IAM alone would decide).
                const decision = await this.decide(
                    principal,
                    action,
                    resource,
                    context,
                    { ...attached, ...extra },
                    resourcePolicy ?? (action.startsWith("kms:") ? IAM_DECIDES : undefined),
                    true,
                );
                results.push({
                    EvalActionName: action,
                    EvalResourceName: resource,
                    EvalDecision: { Allowed: "allowed", ImplicitlyDenied: "implicitDeny", ExplicitlyDenied: "explicitDeny" }[decision],
                });
            }
        }
        return { EvaluationResults: results, IsTruncated: false };
    }
}
