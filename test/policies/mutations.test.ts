import { strict as assert } from "assert";
import { check } from "../../policies/check/check";
import type { Violation } from "../../policies/check/report";
import type { SynthResult } from "../synth/synth";
import { synthStack } from "../support/synthRun";
import { ADVISORY_MUTATIONS, Mutation, MUTATIONS } from "./mutations";
import { configFile, sharedPack } from "./sharedPack";

const key = (v: Violation) => `${v.rule} ${v.urn} ${v.message}`;

/** The violations an edit adds to the stack's own, under the prod config, with one pack process for all. */
async function introducedBy(mutation: Mutation, stack: SynthResult, baseline: Violation[]): Promise<Violation[]> {
    const mutated: SynthResult = JSON.parse(JSON.stringify(stack));
    mutation.apply(mutated);
    const { violations } = await check(await sharedPack(), mutated.resources, configFile("prod"));
    const before = new Set(baseline.map(key));
    return violations.filter((v) => !before.has(key(v)));
}

describe(`mutation test: ${MUTATIONS.length} harmful edits of the synthesized stacks, each blocked under the prod config`, function () {
    this.timeout(60000);

    for (const env of ["dev", "prod"] as const) {
        describe(env, () => {
            let stack: SynthResult;
            let baseline: Violation[];
            before(async () => {
                stack = await synthStack(env);
                baseline = (await check(await sharedPack(), stack.resources, configFile("prod"))).violations;
            });

            for (const mutation of MUTATIONS.filter((m) => !m.stacks || m.stacks.includes(env))) {
                it(`${mutation.title} → ${mutation.caughtBy}`, async () => {
                    const introduced = await introducedBy(mutation, stack, baseline);
                    const blocking = introduced.filter((v) => v.level === "mandatory").map((v) => v.rule);
                    assert.ok(blocking.includes(mutation.caughtBy), `caught by [${blocking.join(", ")}], not ${mutation.caughtBy}`);
                });
            }

            for (const mutation of ADVISORY_MUTATIONS) {
                it(`${mutation.title} → ${mutation.caughtBy} (advisory, not blocked)`, async () => {
                    const introduced = await introducedBy(mutation, stack, baseline);
                    assert.deepEqual(introduced.map((v) => [v.rule, v.level]), [[mutation.caughtBy, "advisory"]]);
                });
            }
        });
    }
});
