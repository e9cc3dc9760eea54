/** One check: configure the pack with a policy config file, analyze every resource and the stack, read violations. */
import { readPolicyConfigFile } from "./config";
import type { PackInfo, PolicyPackProcess } from "./pack";
import { ResourceRecord, toAnalyzedResource, Violation, violationsOf } from "./report";

export interface CheckResult {
    pack: PackInfo;
    resources: number;
    violations: Violation[];
}

export async function check(pack: PolicyPackProcess, records: ResourceRecord[], configFile: string): Promise<CheckResult> {
    const info = await pack.info();
    await pack.configure(readPolicyConfigFile(configFile, info));
    const resources = records.map(toAnalyzedResource);
    return { pack: info, resources: resources.length, violations: violationsOf(await pack.analyzeAll(resources), resources) };
}
