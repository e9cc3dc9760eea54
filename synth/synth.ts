/**
 * Offline synth: runs the Pulumi program under Pulumi's own mocks with a stack's real config files and records
 * every resource it registers, with inputs fully resolved, and the stack outputs. No AWS, no Pulumi CLI.
 *
 * The Pulumi SDK keeps one program per process: call `synthesize` once per process (the CLI does).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { SynthError } from "./errors";
import { AwsMocks, equippedVpc, MockAccount, TEST_ACCOUNT_ID } from "./mocks";
import { PROJECT_DIR, readProjectFile, readStackConfig, resolveStackConfig, stackConfigTypeError } from "./stackFiles";
import { leavePulumiBookkeepingStacksUnmapped } from "./stackTraces";

// What callers of the synth read of the project's files and its errors, from here as from their own modules.
export { SynthError, SynthUsageError } from "./errors";
export { PROJECT_DIR, readProjectFile, readStackConfig, resolveStackConfig, shownPath, stackConfigTypeError, stackFilePath } from "./stackFiles";
export type { DeclaredConfig, DeclaredType, ProjectFile } from "./stackFiles";

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
    /** Whether Pulumi refuses to delete the resource (`protect`), as its state records it. */
    protect: boolean;
    /** Whether deleting it from the stack leaves it in the account (`retainOnDelete`), as its state records it. */
    retainOnDelete: boolean;
}

export interface SynthResult {
    project: string;
    stack: string;
    resources: SynthResource[];
    outputs: Record<string, unknown>;
}

/** The program failed; `declared` is what it had registered by then (for a bad config: nothing but the stack). */
export class ProgramFailure extends Error {
    constructor(
        readonly cause: unknown,
        readonly declared: SynthResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

/**
 * The engine's refusal of a second resource with a URN already registered in the deployment (pulumi/pulumi
 * sdk/go/common/diag/errors.go, GetDuplicateResourceURNError, raised by pkg/resource/deploy/step_generator.go).
 */
export function duplicateUrnMessage(urn: string): string {
    return `Duplicate resource URN '${urn}'; try giving it a unique name`;
}

/**
 * Records, for every registration, what the engine would see: URN, parent and resolved inputs. Like the engine, it
 * refuses a URN registered twice.
 */
export class RecordingMonitor extends MockMonitor {
    readonly registered: SynthResource[] = [];
    /** Physical ids the mocks gave, by URN (not part of the synth output, which shows inputs). */
    readonly ids = new Map<string, string>();
    /** Registrations refused, with the engine's message. */
    readonly refused: string[] = [];
    /** Names a resource also answers to (its aliases' names), by URN: what keeps a renamed resource from being replaced. */
    readonly aliases = new Map<string, string[]>();

    async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        return super.registerResource(req, (err: any, response: any) => {
            if (!err && this.ids.has(response.getUrn())) {
                const message = duplicateUrnMessage(response.getUrn());
                this.refused.push(message);
                callback(new Error(message), undefined);
                return;
            }
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
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                });
                this.ids.set(response.getUrn(), response.getId());
                // The SDK sends alias URNs to a monitor without structured aliases, as this mock one.
                this.aliases.set(
                    response.getUrn(),
                    [...req.getAliasurnsList()].map((urn: string) => urn.slice(urn.lastIndexOf("::") + 2)),
                );
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
    /** What the account's lookups find, over the default: the configured VPC has every endpoint exec tasks need. */
    account?: Partial<MockAccount>;
}

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const project = readProjectFile(projectDir);
    const stackConfig = readStackConfig(options.stack, projectDir);
    const typeError = stackConfigTypeError(options.stack, project, stackConfig);
    if (typeError !== undefined) {
        throw new SynthError(typeError);
    }
    const config = resolveStackConfig(project, stackConfig, options.overrides);
    leavePulumiBookkeepingStacksUnmapped();

    // A failing program also rejects promises nobody awaits; collect them rather than crash. The listener stays:
    // such rejections can surface after this function has returned, and the process runs one program only.
    const failures: unknown[] = [];
    process.on("unhandledRejection", (e: unknown) => failures.push(e));
    const existingVpcId = config[`${project.name}:vpcId`];
    const mocks = new AwsMocks({
        region: config["aws:region"] ?? "us-east-1",
        accountId: TEST_ACCOUNT_ID,
        existingVpcId,
        vpcs: existingVpcId ? [equippedVpc(existingVpcId, jsonList(config[`${project.name}:subnetIds`]))] : [],
        ...options.account,
    });
    const monitor = new RecordingMonitor(mocks);
    try {
        await pulumi.runtime.setMocks(mocks, project.name, options.stack, false);
        pulumi.runtime.setMockOptions(monitor, project.name, options.stack, false);
        pulumi.runtime.setAllConfig(config);

        const exported = await pulumi.runtime.runInPulumiStack(async () => require(path.join(projectDir, "index.ts")));
        const outputs = await resolve(pulumi.output(exported ?? {}));
        await pulumi.runtime.disconnect();
        // A failure nothing awaits (an apply whose output no resource or export consumes) surfaces as an unhandled
        // rejection, which Node reports only once the current microtasks are done: let it arrive.
        await new Promise((resolve) => setImmediate(resolve));
        if (monitor.refused.length > 0) {
            throw new SynthError(monitor.refused.join("\n"));
        }
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
        if (monitor.refused.length > 0) {
            throw new SynthError(monitor.refused.join("\n"));
        }
        throw e instanceof SynthError ? e : new ProgramFailure(e, monitor.registered);
    }
}

/** A config value holding a JSON list of strings; anything else is the program's to refuse. */
function jsonList(value: string | undefined): string[] {
    try {
        const parsed = JSON.parse(value ?? "[]");
        return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
    } catch {
        return [];
    }
}

/** An output's value, or its failure (an apply that throws must fail the synth, not hang it). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    // `promise()` is the SDK's internal accessor, the one runInPulumiStack itself uses.
    return (output as unknown as { promise(): Promise<T> }).promise();
}
