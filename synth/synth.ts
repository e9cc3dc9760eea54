/**
 * Offline synth: runs the Pulumi program under Pulumi's own mocks with a stack's real config files and records
 * every resource it registers, with inputs fully resolved, and the stack outputs. No AWS, no Pulumi CLI.
 *
 * The Pulumi SDK keeps one program per process: call `synthesize` once per process (the CLI does).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { AwsMocks, TEST_ACCOUNT_ID } from "./mocks";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface SynthResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    /** URNs of the resources this one depends on, as the engine (and a policy pack) sees them. */
    dependencies: string[];
    /** For each input that takes another resource's output: the URNs it comes from. */
    propertyDependencies: Record<string, string[]>;
}

export interface SynthResult {
    project: string;
    stack: string;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
}

/** A config key declared in Pulumi.yaml. */
export interface DeclaredConfig {
    type: "string" | "integer" | "boolean" | "array";
    description?: string;
    default?: unknown;
}

export interface ProjectFile {
    name: string;
    config: Record<string, DeclaredConfig>;
}

export function readProjectFile(projectDir = PROJECT_DIR): ProjectFile {
    const doc = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as any;
    return { name: doc.name, config: doc.config ?? {} };
}

export function stackFilePath(stack: string, projectDir = PROJECT_DIR): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The stack file's `config:` block as written (qualified keys, structured values). */
export function readStackConfig(stack: string, projectDir = PROJECT_DIR): Record<string, unknown> {
    const file = stackFilePath(stack, projectDir);
    if (!fs.existsSync(file)) {
        throw new SynthError(`no stack file ${path.basename(file)} in ${projectDir}`);
    }
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) as any) ?? {};
    return doc.config ?? {};
}

/** Config as the Pulumi CLI hands it to a program: project defaults under stack values, every value a string. */
export function resolveStackConfig(
    project: ProjectFile,
    stackConfig: Record<string, unknown>,
    overrides: Record<string, string> = {},
): Record<string, string> {
    const asCliString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
    // Like the CLI (stack files, `pulumi config set`, `--config`): a key without a namespace belongs to the project.
    const qualified = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const resolved: Record<string, string> = {};
    for (const [key, declared] of Object.entries(project.config)) {
        if (declared.default !== undefined) {
            resolved[`${project.name}:${key}`] = asCliString(declared.default);
        }
    }
    for (const [key, value] of [...Object.entries(stackConfig), ...Object.entries(overrides)]) {
        resolved[qualified(key)] = asCliString(value);
    }
    return resolved;
}

export class SynthError extends Error {}

/** The program failed; `declared` is what it had registered by then (for a bad config: nothing but the stack). */
export class ProgramFailure extends Error {
    constructor(
        readonly cause: unknown,
        readonly declared: SynthResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

/** Records, for every registration, what the engine would see: URN, parent and resolved inputs. */
export class RecordingMonitor extends MockMonitor {
    readonly registered: SynthResource[] = [];
    /** Physical ids the mocks gave, by URN (not part of the synth output, which shows inputs). */
    readonly ids = new Map<string, string>();

    async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        return super.registerResource(req, (err: any, response: any) => {
            if (!err) {
                this.registered.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    custom: req.getCustom(),
                    inputs: pulumi.runtime.deserializeProperties(req.getObject()),
                    dependencies: [...req.getDependenciesList()].sort(),
                    propertyDependencies: propertyDependencies(req),
                });
                this.ids.set(response.getUrn(), response.getId());
            }
            callback(err, response);
        });
    }
}

/** Property → URNs it depends on, sorted, without empty entries: deterministic output. */
function propertyDependencies(req: any): Record<string, string[]> {
    const found: [string, string[]][] = [];
    req.getPropertydependenciesMap().forEach((deps: any, property: string) => {
        const urns = [...deps.getUrnsList()].sort();
        if (urns.length > 0) {
            found.push([property, urns]);
        }
    });
    return Object.fromEntries(found.sort(([a], [b]) => (a < b ? -1 : 1)));
}

export interface SynthOptions {
    stack: string;
    /** `key=value` settings over the stack file, like `pulumi preview --config`. */
    overrides?: Record<string, string>;
    projectDir?: string;
}

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const project = readProjectFile(projectDir);
    const config = resolveStackConfig(project, readStackConfig(options.stack, projectDir), options.overrides);

    // A failing program also rejects promises nobody awaits; collect them rather than crash. The listener stays:
    // such rejections can surface after this function has returned, and the process runs one program only.
    const failures: unknown[] = [];
    process.on("unhandledRejection", (e: unknown) => failures.push(e));
    const mocks = new AwsMocks({
        region: config["aws:region"] ?? "us-east-1",
        accountId: TEST_ACCOUNT_ID,
        existingVpcId: config[`${project.name}:vpcId`],
    });
    const monitor = new RecordingMonitor(mocks);
    try {
        await pulumi.runtime.setMocks(mocks, project.name, options.stack, false);
        pulumi.runtime.setMockOptions(monitor, project.name, options.stack, false);
        pulumi.runtime.setAllConfig(config);

        const exported = await pulumi.runtime.runInPulumiStack(async () => require(path.join(projectDir, "index.ts")));
        const outputs = await resolve(pulumi.output(exported ?? {}));
        await pulumi.runtime.disconnect();
        if (failures.length > 0) {
            throw failures[0];
        }
        if (pulumi.log.hasErrors()) {
            throw new SynthError("the program logged errors (see above)");
        }
        return {
            project: project.name,
            stack: options.stack,
            resources: [...monitor.registered].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)),
            outputs: outputs as Record<string, unknown>,
        };
    } catch (e) {
        // Let registrations already under way finish, so `declared` is the whole of what the program declared.
        await pulumi.runtime.disconnect().catch(() => undefined);
        throw e instanceof SynthError ? e : new ProgramFailure(e, monitor.registered);
    }
}

/** An output's value, or its failure (an apply that throws must fail the synth, not hang it). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    // `promise()` is the SDK's internal accessor, the one runInPulumiStack itself uses.
    return (output as unknown as { promise(): Promise<T> }).promise();
}
