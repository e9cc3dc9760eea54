/**
 * The policy pack run exactly as the Pulumi CLI runs it: `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> .` in
 * the pack's directory (ts-node type-checks it while loading), the port it prints read from stdout, and the Analyzer
 * gRPC service called as the engine calls it. An engine-side gRPC server takes the pack's log calls.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as engine from "@pulumi/pulumi/proto/engine_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";

export const PACK_DIR = path.resolve(__dirname, "..");

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

const LEVELS: Record<analyzer.EnforcementLevel, EnforcementLevel> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzer.EnforcementLevel.DISABLED]: "disabled",
};

function levelCode(level: EnforcementLevel): analyzer.EnforcementLevel {
    return Number(Object.entries(LEVELS).find(([, name]) => name === level)![0]) as analyzer.EnforcementLevel;
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    type: "resource" | "stack";
    remediationSteps: string;
    /** JSON schema of each config property, as the pack declares it. */
    configSchema?: Record<string, Record<string, unknown>>;
}

export interface PackInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
}

/** What Configure takes per policy, after the CLI has expanded `all` and validated the file. */
export type PolicyConfig = Record<string, { enforcementLevel?: EnforcementLevel; properties?: Record<string, unknown> }>;

/** A resource as the engine describes it to an analyzer. */
export interface AnalyzedResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    /** Inputs; the engine's unknown sentinel (ENGINE_UNKNOWN) stands for a value unknown during preview. */
    properties: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface Diagnostic {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    description: string;
    message: string;
    /** The resource a violation is on; empty for the stack as a whole. */
    urn: string;
}

/** How the engine marshals a value that is unknown during preview (Pulumi's UnknownStringValue). */
export const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface LogEntry {
    severity: string;
    message: string;
}

/** The engine side of the protocol the pack may call back: Log, and the rest answered with nothing. */
async function startEngine(logs: LogEntry[]): Promise<{ address: string; server: grpc.Server }> {
    const server = new grpc.Server();
    const nothing = (_: unknown, callback: grpc.sendUnaryData<Empty>) => callback(null, new Empty());
    server.addService(EngineService, {
        log: (call: grpc.ServerUnaryCall<engine.LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
            const code = call.request.getSeverity();
            // The generated enum is a plain object, without the reverse mapping of a TypeScript enum.
            const severity = Object.entries(engine.LogSeverity).find(([, value]) => value === code)?.[0] ?? String(code);
            logs.push({ severity, message: call.request.getMessage() });
            callback(null, new Empty());
        },
        getRootResource: (_: unknown, callback: grpc.sendUnaryData<engine.GetRootResourceResponse>) =>
            callback(null, new engine.GetRootResourceResponse()),
        setRootResource: (_: unknown, callback: grpc.sendUnaryData<engine.SetRootResourceResponse>) =>
            callback(null, new engine.SetRootResourceResponse()),
        startDebugging: nothing,
        requirePulumiVersion: (_: unknown, callback: grpc.sendUnaryData<engine.RequirePulumiVersionResponse>) =>
            callback(null, new engine.RequirePulumiVersionResponse()),
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    return { address: `127.0.0.1:${port}`, server };
}

/** A unary gRPC call as a promise. */
function call<Res>(invoke: (callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
    return new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
}

/** Sets what an AnalyzeRequest and an AnalyzerResource both carry. */
function describe<M extends analyzer.AnalyzeRequest | analyzer.AnalyzerResource>(message: M, resource: AnalyzedResource): M {
    message.setUrn(resource.urn);
    message.setType(resource.type);
    message.setName(resource.name);
    message.setProperties(Struct.fromJavaScript(resource.properties as Record<string, any>));
    message.setOptions(resourceOptions(resource));
    return message;
}

function toAnalyzerResource(resource: AnalyzedResource): analyzer.AnalyzerResource {
    const r = describe(new analyzer.AnalyzerResource(), resource);
    if (resource.parent) {
        r.setParent(resource.parent);
    }
    r.setDependenciesList(resource.dependencies);
    const dependencies = r.getPropertydependenciesMap();
    for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
        const list = new analyzer.AnalyzerPropertyDependencies();
        list.setUrnsList(urns);
        dependencies.set(property, list);
    }
    return r;
}

/** The SDK refuses a request without options (it takes that for an old CLI). */
function resourceOptions(resource: AnalyzedResource): analyzer.AnalyzerResourceOptions {
    const options = new analyzer.AnalyzerResourceOptions();
    if (resource.parent) {
        options.setParent(resource.parent);
    }
    return options;
}

function diagnosticsOf(response: analyzer.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()],
        description: d.getDescription(),
        message: d.getMessage(),
        urn: d.getUrn(),
    }));
}

export class PolicyPackProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: AnalyzerClient,
        private readonly engineServer: grpc.Server,
        /** What the pack logged through the engine. */
        readonly logs: LogEntry[],
    ) {}

    /**
     * Starts the pack in `packDir` and connects to it; fails with what the pack printed if it does not start, or as
     * soon as `signal` aborts (the pack process is killed).
     */
    static async start(packDir = PACK_DIR, signal?: AbortSignal): Promise<PolicyPackProcess> {
        const logs: LogEntry[] = [];
        const engineHost = await startEngine(logs);
        // Resolved from the pack's directory, as the CLI locates it: the copy of @pulumi/pulumi the pack uses.
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        const child = spawn(process.execPath, [runPolicyPack, engineHost.address, "."], {
            cwd: packDir,
            env: { ...process.env, PULUMI_NODEJS_ENGINE: engineHost.address },
            stdio: ["ignore", "pipe", "pipe"],
            signal,
        });
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        try {
            const port = await new Promise<string>((resolve, reject) => {
                let stdout = "";
                child.stdout!.on("data", (chunk) => {
                    stdout += chunk;
                    const line = stdout.split("\n");
                    if (line.length > 1) {
                        resolve(line[0].trim());
                    }
                });
                child.on("error", reject);
                child.on("exit", (code) => {
                    const logged = logs
                        .filter((l) => l.severity !== "DEBUG")
                        .map((l) => `${l.severity}: ${l.message}`)
                        .join("\n");
                    reject(new Error(`the policy pack exited (${code}) before serving:\n${logged}\n${stderr}`.trim()));
                });
            });
            const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const pack = new PolicyPackProcess(child, client, engineHost.server, logs);
            await pack.handshake(packDir, engineHost.address);
            return pack;
        } catch (e) {
            child.kill();
            engineHost.server.forceShutdown();
            throw e;
        }
    }

    /** Handshake as the CLI sends it; packs built on @pulumi/policy 1.x do not implement it, which the CLI accepts. */
    private async handshake(packDir: string, engineAddress: string): Promise<void> {
        const request = new analyzer.AnalyzerHandshakeRequest();
        request.setEngineAddress(engineAddress);
        request.setRootDirectory(packDir);
        request.setProgramDirectory(packDir);
        try {
            await call((cb) => this.client.handshake(request, cb));
        } catch (e) {
            if ((e as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) {
                throw e;
            }
        }
    }

    async info(): Promise<PackInfo> {
        const info = await call<analyzer.AnalyzerInfo>((cb) => this.client.getAnalyzerInfo(new Empty(), cb));
        return {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                type: p.getPolicyType() === analyzer.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
                remediationSteps: p.getRemediationSteps(),
                configSchema: p.getConfigschema()?.getProperties()?.toJavaScript() as PolicyInfo["configSchema"],
            })),
        };
    }

    async configure(config: PolicyConfig): Promise<void> {
        const request = new analyzer.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [policy, { enforcementLevel, properties }] of Object.entries(config)) {
            const entry = new analyzer.PolicyConfig();
            if (enforcementLevel) {
                entry.setEnforcementlevel(levelCode(enforcementLevel));
            }
            entry.setProperties(Struct.fromJavaScript((properties ?? {}) as Record<string, any>));
            map.set(policy, entry);
        }
        await call((cb) => this.client.configure(request, cb));
    }

    /** One resource, as the engine analyzes each resource before it is created or updated. */
    async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
        const request = describe(new analyzer.AnalyzeRequest(), resource);
        const diagnostics = diagnosticsOf(await call<analyzer.AnalyzeResponse>((cb) => this.client.analyze(request, cb)));
        // A resource policy's violation is on the resource analyzed, as the engine reports it.
        return diagnostics.map((d) => ({ ...d, urn: d.urn || resource.urn }));
    }

    /** The whole stack, as the engine analyzes it once every resource is known. */
    async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
        const request = new analyzer.AnalyzeStackRequest();
        request.setResourcesList(resources.map(toAnalyzerResource));
        return diagnosticsOf(await call<analyzer.AnalyzeResponse>((cb) => this.client.analyzeStack(request, cb)));
    }

    /** Every resource, then the stack: what a preview with the pack reports. */
    async analyzeAll(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
        const perResource = await Promise.all(resources.map((r) => this.analyze(r)));
        return [...perResource.flat(), ...(await this.analyzeStack(resources))];
    }

    stop(): void {
        this.client.close();
        this.child.kill();
        this.engineServer.forceShutdown();
    }
}
