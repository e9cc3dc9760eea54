/**
 * Policy config files (`{"all": "mandatory", "rule": "advisory", "rule": {"enforcementLevel": ..., "key": value}}`)
 * turned into what Configure takes, as the CLI does with --policy-pack-config: `all` sets every policy's level,
 * a policy's own entry overrides it, and anything the pack does not declare is refused.
 */
import * as fs from "fs";
import type { EnforcementLevel, PackInfo, PolicyConfig } from "./pack";

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class ConfigError extends Error {}

type Entry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

export function readPolicyConfigFile(file: string, pack: PackInfo): PolicyConfig {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new ConfigError(`cannot read policy config ${file}: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new ConfigError(`policy config ${file} is not a JSON object`);
    }
    return policyConfig(parsed as Record<string, Entry>, pack);
}

export function policyConfig(file: Record<string, Entry>, pack: PackInfo): PolicyConfig {
    const errors: string[] = [];
    const level = (where: string, value: unknown): EnforcementLevel | undefined => {
        if (value === undefined || LEVELS.includes(value as EnforcementLevel)) {
            return value as EnforcementLevel | undefined;
        }
        errors.push(`${where}: enforcement level ${JSON.stringify(value)} is not one of ${LEVELS.join(", ")}`);
        return undefined;
    };
    const all = level("all", file.all);
    const config: PolicyConfig = Object.fromEntries(pack.policies.map((p) => [p.name, all ? { enforcementLevel: all } : {}]));
    for (const [name, entry] of Object.entries(file)) {
        if (name === "all") {
            continue;
        }
        const policy = pack.policies.find((p) => p.name === name);
        if (!policy) {
            errors.push(`${name}: no such policy in ${pack.name}`);
            continue;
        }
        const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
        for (const [key, value] of Object.entries(properties)) {
            const schema = policy.configSchema?.[key];
            if (!schema) {
                errors.push(`${name}.${key}: the policy takes no such setting`);
            } else if (!hasSchemaType(value, schema.type as string)) {
                errors.push(`${name}.${key}: ${JSON.stringify(value)} is not of type ${schema.type}`);
            } else if (typeof schema.minimum === "number" && (value as number) < schema.minimum) {
                errors.push(`${name}.${key}: ${value} is below the minimum of ${schema.minimum}`);
            }
        }
        config[name] = { enforcementLevel: level(name, enforcementLevel) ?? all, properties };
    }
    if (errors.length > 0) {
        throw new ConfigError(errors.join("\n"));
    }
    return config;
}

function hasSchemaType(value: unknown, type: string): boolean {
    switch (type) {
        case "integer":
            return Number.isInteger(value);
        case "array":
            return Array.isArray(value);
        default:
            return typeof value === type;
    }
}
