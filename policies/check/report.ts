/** Turns the pack's diagnostics into violations people read: a table sorted by level and rule, or JSON. */
import type { AnalyzedResource, Diagnostic, EnforcementLevel } from "./pack";

/** A resource in the `npm run synth` format (the inputs a preview would send). */
export interface ResourceRecord {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export function toAnalyzedResource(record: ResourceRecord): AnalyzedResource {
    return {
        urn: record.urn,
        type: record.type,
        name: record.name,
        parent: record.parent,
        properties: record.inputs,
        dependencies: record.dependencies ?? [],
        propertyDependencies: record.propertyDependencies ?? {},
    };
}

export interface Violation {
    rule: string;
    level: EnforcementLevel;
    /** The resource's name, or "(stack)" for a violation of the stack as a whole. */
    resource: string;
    type: string;
    urn: string;
    message: string;
}

const LEVEL_ORDER: EnforcementLevel[] = ["mandatory", "remediate", "advisory", "disabled"];

export function violationsOf(diagnostics: Diagnostic[], resources: AnalyzedResource[]): Violation[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return diagnostics
        .map((d) => {
            const resource = byUrn.get(d.urn);
            // The SDK prefixes each message with the policy's description; the table shows the description apart.
            const message = d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message;
            return {
                rule: d.policyName,
                level: d.enforcementLevel,
                resource: resource?.name ?? "(stack)",
                type: resource?.type ?? "",
                urn: d.urn,
                message,
            };
        })
        .sort(
            (a, b) =>
                LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
                a.rule.localeCompare(b.rule) ||
                a.resource.localeCompare(b.resource),
        );
}

export function countByLevel(violations: Violation[], level: EnforcementLevel): number {
    return violations.filter((v) => v.level === level).length;
}

/** A plain-text table with one row per violation. */
export function formatTable(violations: Violation[]): string {
    const header = ["LEVEL", "RULE", "RESOURCE", "MESSAGE"];
    const rows = violations.map((v) => [v.level, v.rule, v.type ? `${v.resource} (${v.type})` : v.resource, v.message]);
    const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
        cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell.replace(/\n/g, " "))).join("  ");
    return [line(header), ...rows.map(line)].join("\n");
}
