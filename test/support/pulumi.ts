/** Runs components under Pulumi's mocks (the same mocks as `npm run synth`) and records what they register. */
import * as pulumi from "@pulumi/pulumi";
import { AwsMocks, MockAccount, TEST_ACCOUNT_ID } from "../../synth/mocks";
import { RecordingMonitor, resolve, SynthResource } from "../../synth/synth";
import { leavePulumiBookkeepingStacksUnmapped } from "../../synth/stackTraces";
import type { AwsContext } from "../../components/iam";

export const TEST_REGION = "us-east-1";

export const TEST_CONTEXT: AwsContext = {
    partition: "aws",
    region: TEST_REGION,
    accountId: TEST_ACCOUNT_ID,
    dnsSuffix: "amazonaws.com",
};

export const TEST_TAGS = { Project: "ecs-exec", Environment: "test", ManagedBy: "pulumi" };

export class Registered {
    constructor(
        readonly all: SynthResource[],
        private readonly ids: ReadonlyMap<string, string>,
        private readonly aliases: ReadonlyMap<string, string[]> = new Map(),
    ) {}

    /** The other names a resource answers to (the names of its aliases). */
    aliasesOf(resource: SynthResource): string[] {
        return this.aliases.get(resource.urn) ?? [];
    }

    /** The physical id the mocks gave a resource: what other resources reference it by. */
    idOf(resource: SynthResource): string {
        const id = this.ids.get(resource.urn);
        if (!id) {
            throw new Error(`no id for ${resource.urn}`);
        }
        return id;
    }

    ofType(type: string): SynthResource[] {
        return this.all.filter((r) => r.type === type);
    }

    /** The one resource of a type (and logical name, when several); fails when there is not exactly one. */
    one(type: string, name?: string): SynthResource {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
        }
        return found[0];
    }

    /** The parsed JSON of a string input (policy documents, container definitions). */
    json(type: string, input: string, name?: string): any {
        return JSON.parse(this.one(type, name).inputs[input] as string);
    }
}

/**
 * Builds resources under fresh mocks, waits until every registration is done, and returns what was built
 * with every registration recorded.
 */
export async function underMocks<T>(
    build: () => T,
    account: Partial<MockAccount> = {},
): Promise<{ built: T; registered: Registered }> {
    const mocks = new AwsMocks({ region: TEST_REGION, accountId: TEST_ACCOUNT_ID, ...account });
    const monitor = new RecordingMonitor(mocks);
    leavePulumiBookkeepingStacksUnmapped();
    await pulumi.runtime.setMocks(mocks, "ecs-exec", "test", false);
    pulumi.runtime.setMockOptions(monitor, "ecs-exec", "test", false);
    const built = build();
    await pulumi.runtime.disconnect();
    if (monitor.refused.length > 0) {
        throw new Error(monitor.refused.join("\n"));
    }
    return { built, registered: new Registered(monitor.registered, monitor.ids, monitor.aliases) };
}

export { resolve as valueOf };
