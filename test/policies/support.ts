/**
 * Runs rule objects the way the policy SDK does, without starting a pack: properties go through the SDK's own
 * deserializer and unknown-checking proxy, so ENGINE_UNKNOWN in a test's properties behaves as an unknown value of
 * a preview does (touching it throws UnknownValueError).
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { ENGINE_UNKNOWN } from "../../policies/check/pack";

export { ENGINE_UNKNOWN as UNKNOWN_VALUE };

// Internal to the SDK (no typings): the function the analyzer server deserializes every request's properties with.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: Struct, proxySecrets: boolean): Record<string, unknown>;
};

/** Properties as a policy receives them from the engine (which sends no undefined values). */
export function sdkProps(props: Record<string, unknown>): Record<string, any> {
    const json = JSON.parse(JSON.stringify(props));
    return unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(json), false));
}

export interface TestResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** Property → names of the test resources its value comes from. */
    dependsOn?: Record<string, string[]>;
}

export const urnOf = (r: { type: string; name: string }) => `urn:pulumi:test::test::${r.type}::${r.name}`;

const noOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

function notApplicable(): never {
    throw new Error("not applicable");
}

/** The messages a resource policy reports for one resource. */
export function resourceViolations(
    policy: ResourceValidationPolicy,
    resource: Omit<TestResource, "dependsOn">,
    config: Record<string, unknown> = {},
): string[] {
    const messages: string[] = [];
    const args = {
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource),
        props: sdkProps(resource.props),
        opts: noOptions,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: () => config,
        notApplicable,
    } as unknown as ResourceValidationArgs;
    const validations = [policy.validateResource ?? []].flat();
    validations.forEach((validate) => validate(args, (message) => messages.push(message)));
    return messages;
}

export interface StackViolation {
    message: string;
    /** The name of the resource it is on; undefined for the stack. */
    resource?: string;
}

/** The violations a stack policy reports for a stack of test resources. */
export function stackViolations(
    policy: StackValidationPolicy,
    resources: TestResource[],
    config: Record<string, unknown> = {},
): StackViolation[] {
    const built = new Map<string, PolicyResource>();
    for (const r of resources) {
        built.set(r.name, {
            type: r.type,
            name: r.name,
            urn: urnOf(r),
            props: sdkProps(r.props),
            opts: noOptions,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        } as unknown as PolicyResource);
    }
    for (const r of resources) {
        const resource = built.get(r.name)!;
        for (const [property, names] of Object.entries(r.dependsOn ?? {})) {
            resource.propertyDependencies[property] = names.map((n) => built.get(n)!);
            resource.dependencies.push(...resource.propertyDependencies[property]);
        }
    }
    const byUrn = new Map(resources.map((r) => [urnOf(r), r.name]));
    const found: StackViolation[] = [];
    const args = {
        resources: [...built.values()],
        stackTags: new Map(),
        getConfig: () => config,
        notApplicable,
    } as unknown as StackValidationArgs;
    policy.validateStack(args, (message, urn) => found.push({ message, resource: urn ? byUrn.get(urn) : undefined }));
    return found;
}

/** JSON of a policy document with the given statements. */
export function policyJson(...statements: Record<string, unknown>[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
