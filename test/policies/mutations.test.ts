import { strict as assert } from "assert";
import { configureFrom, violationsIn } from "../../policies/check/check";
import { toAnalyzedResource, Violation, violationsOf } from "../../policies/check/report";
import type { SynthResult } from "../../synth/synth";
import { synthStack } from "../support/synthRun";
import { ADVISORY_MUTATIONS, Mutation, MUTATIONS } from "./mutations";
import { configFile, sharedPack } from "./sharedPack";

const key = (v: Violation) => `${v.rule} ${v.urn} ${v.message}`;

/**
 * The violations an edit adds to the stack's own, from the one pack process, configured once. A resource rule reads
 * nothing but its resource, so only the resources the edit changed or added are analyzed again; the stack rules see
 * the whole edited stack, as in a preview.
 */
async function introducedBy(mutation: Mutation, stack: SynthResult, before: Map<string, string>, baseline: Violation[]): Promise<Violation[]> {
    const mutated: SynthResult = JSON.parse(JSON.stringify(stack));
    mutation.apply(mutated);
    const resources = mutated.resources.map(toAnalyzedResource);
    const edited = resources.filter((r, i) => before.get(r.urn) !== JSON.stringify(mutated.resources[i]));
    const pack = await sharedPack();
    const diagnostics = [...(await Promise.all(edited.map((r) => pack.analyze(r)))).flat(), ...(await pack.analyzeStack(resources))];
    const known = new Set(baseline.map(key));
    return violationsOf(diagnostics, resources).filter((v) => !known.has(key(v)));
}

describe(`mutation test: ${MUTATIONS.length} harmful edits of the synthesized stacks, each blocked under the prod config`, function () {
    this.timeout(60000);

    before(async () => {
        await configureFrom(await sharedPack(), configFile("prod"));
    });

    for (const env of ["dev", "prod"] as const) {
        describe(env, () => {
            const mutations = MUTATIONS.filter((m) => !m.stacks || m.stacks.includes(env));
            let results: Map<Mutation, Promise<Violation[]>>;
            before(async () => {
                const stack = await synthStack(env);
                const baseline = await violationsIn(await sharedPack(), stack.resources);
                const before = new Map(stack.resources.map((r) => [r.urn, JSON.stringify(r)]));
                // Every edit at once: the pack judges one while this process prepares the next (two cores, not one).
                results = new Map([...mutations, ...ADVISORY_MUTATIONS].map((m) => [m, introducedBy(m, stack, before, baseline)]));
                // Each is awaited by its test; until then a failure must not count as unhandled.
                results.forEach((result) => result.catch(() => undefined));
            });

            for (const mutation of mutations) {
                it(`${mutation.title} → ${mutation.caughtBy}`, async () => {
                    const introduced = await results.get(mutation)!;
                    const blocking = introduced.filter((v) => v.level === "mandatory").map((v) => v.rule);
                    assert.ok(blocking.includes(mutation.caughtBy), `caught by [${blocking.join(", ")}], not ${mutation.caughtBy}`);
                });
            }

            for (const mutation of ADVISORY_MUTATIONS) {
                it(`${mutation.title} → ${mutation.caughtBy} (advisory, not blocked)`, async () => {
                    const introduced = await results.get(mutation)!;
                    assert.deepEqual(introduced.map((v) => [v.rule, v.level]), [[mutation.caughtBy, "advisory"]]);
                });
            }
        });
    }
});
