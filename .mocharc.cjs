/**
 * Mocha's configuration. Test files run in parallel, a worker per core (at least two: most of the slow files wait on
 * child processes), each worker taking the next file as it finishes one. The slowest files go first, so that none of
 * them starts last and leaves the other cores idle at the end (a figure per file: npx mocha --reporter json).
 */
const fs = require("fs");
const os = require("os");
const path = require("path");

const SLOWEST_FIRST = [
    "test/policies/check.test.ts",
    "test/cli/e2e.test.ts",
    "test/program.test.ts",
    "test/policies/mutations.test.ts",
    "test/cli/doctor.test.ts",
    "test/synth.test.ts",
    "test/policies/awsx.test.ts",
    "test/policies/protocol.test.ts",
];

function testFiles(dir) {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => {
            const file = path.posix.join(dir, entry.name);
            return entry.isDirectory() ? testFiles(file) : entry.name.endsWith(".test.ts") ? [file] : [];
        })
        .sort();
}

const all = testFiles("test");
const missing = SLOWEST_FIRST.filter((file) => !all.includes(file));
if (missing.length > 0) {
    throw new Error(`.mocharc.cjs lists test files that do not exist: ${missing.join(", ")}`);
}

// Test files named on the command line (npx mocha test/cli/run.test.ts) run alone: mocha would add these to them.
const named = process.argv.slice(2).some((arg) => arg.endsWith(".test.ts"));

module.exports = {
    require: ["ts-node/register/transpile-only", "test/support/warmUp.ts"],
    spec: named ? [] : [...SLOWEST_FIRST, ...all.filter((file) => !SLOWEST_FIRST.includes(file))],
    extension: ["ts"],
    timeout: 20000,
    reporter: "spec",
    parallel: true,
    jobs: Math.max(2, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length),
};
