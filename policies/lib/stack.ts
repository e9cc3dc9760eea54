/**
 * A stack's resources as plain data, and how one resource refers to another: first by the engine's record of which
 * resources each property's value came from (present during preview even when the value is unknown), then by a
 * known identifying value (ARN, name, id) when the referenced resource exposes it.
 */
import type { PolicyResource } from "@pulumi/policy";
import { at, Fields, isFields, isUnknown, listOf, reveal, Value } from "./values";

export interface Resource {
    urn: string;
    type: string;
    name: string;
    props: Fields;
    /** URNs of the resources each top-level property's value comes from. */
    propertyDependencies: Record<string, string[]>;
}

/** A plain copy of what the SDK hands a stack policy. */
export function fromPolicyResource(resource: PolicyResource): Resource {
    const props = reveal(resource.props);
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        props: isFields(props) ? props : {},
        propertyDependencies: Object.fromEntries(
            Object.entries(resource.propertyDependencies ?? {}).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
        ),
    };
}

/** The last part of an ARN's resource (`role/path/name` → name, `…:topic` → topic). */
function lastSegment(arn: string): string {
    return arn.split(/[/:]/).pop() ?? arn;
}

/** A task definition family from an ARN or `family[:revision]`. */
function taskDefinitionFamily(reference: string): string {
    const resource = reference.startsWith("arn:") ? reference.slice(reference.indexOf("task-definition/") + 16) : reference;
    return resource.replace(/:\d+$/, "");
}

/** Whether a known string names `target`: its ARN, id or name, an ARN ending in its name, or its family. */
export function identifies(target: Resource, reference: string): boolean {
    const known = (key: string) => {
        const value = at(target.props, key);
        return typeof value === "string" && value !== "" ? value : undefined;
    };
    if ([known("arn"), known("id"), known("name")].includes(reference)) {
        return true;
    }
    const name = known("name");
    if (name !== undefined && reference.startsWith("arn:") && lastSegment(reference) === name) {
        return true;
    }
    const family = known("family");
    return family !== undefined && taskDefinitionFamily(reference) === family;
}

export class Stack {
    private readonly byType = new Map<string, Resource[]>();

    constructor(readonly resources: Resource[]) {
        for (const resource of resources) {
            this.byType.set(resource.type, [...(this.byType.get(resource.type) ?? []), resource]);
        }
    }

    static of(resources: PolicyResource[]): Stack {
        return new Stack(resources.map(fromPolicyResource));
    }

    ofType(...types: string[]): Resource[] {
        return types.flatMap((type) => this.byType.get(type) ?? []);
    }

    /**
     * Whether `from` refers to `to` through its top-level `property`, whose relevant (possibly nested) value is
     * `value`: a string or list of strings. An unknown value comes from a resource of the stack, which the engine
     * records as a dependency of the property, so the record decides it.
     */
    refersTo(from: Resource, property: string, value: Value, to: Resource): boolean {
        if ((from.propertyDependencies[property] ?? []).includes(to.urn)) {
            return true;
        }
        const references = listOf(value);
        return !isUnknown(references) && references.some((r) => typeof r === "string" && identifies(to, r));
    }

    /** The resources of `types` that `from` refers to through `property` (value at `path` under it). */
    referenced(from: Resource, property: string, types: string[], ...path: (string | number)[]): Resource[] {
        const value = at(from.props, property, ...path);
        return this.ofType(...types).filter((to) => this.refersTo(from, property, value, to));
    }

    /** The resources of `types` that refer to `to` through `property` (value at `path` under it). */
    referring(to: Resource, types: string[], property: string, ...path: (string | number)[]): Resource[] {
        return this.ofType(...types).filter((from) => this.refersTo(from, property, at(from.props, property, ...path), to));
    }
}
