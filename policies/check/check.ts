/** A check: configure the pack with a policy config file, analyze every resource and the stack, read violations. */
import { readPolicyConfigFile } from "./config";
import type { PackInfo, PolicyPackProcess } from "./pack";
import { ResourceRecord, toAnalyzedResource, Violation, violationsOf } from "./report";

/** Configures the pack with a policy config file, as --policy-pack-config does; returns what the pack declares. */
export async function configureFrom(pack: PolicyPackProcess, configFile: string): Promise<PackInfo> {
    const info = await pack.info();
    await pack.configure(readPolicyConfigFile(configFile, info));
    return info;
}

/** What the configured pack reports for these resources: each one, then the stack. */
export async function violationsIn(pack: PolicyPackProcess, records: ResourceRecord[]): Promise<Violation[]> {
    const resources = records.map(toAnalyzedResource);
    return violationsOf(await pack.analyzeAll(resources), resources);
}

export interface CheckResult {
    pack: PackInfo;
    resources: number;
    violations: Violation[];
}

export async function check(pack: PolicyPackProcess, records: ResourceRecord[], configFile: string): Promise<CheckResult> {
    const info = await configureFrom(pack, configFile);
    return { pack: info, resources: records.length, violations: await violationsIn(pack, records) };
}
