/** The checkout stays clean when someone runs the examples of README and docs/ in it. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "../synth/synth";
import { DOC_PAGES, DocPage, readDoc } from "./support/docs";
import { TEST_STACK_KINDS, testStack } from "./support/testStacks";

/** Files the documentation's commands write: `> FILE`, `--out FILE` / `-o FILE`, `--file FILE`, in code blocks and code spans. */
function filesWritten(markdown: string): string[] {
    const code = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map(([, block, span]) => block ?? span);
    const files = code.flatMap((text) => [...text.matchAll(/(?:^|\s)(?:>|--out|-o|--file)\s+([\w./-]+)/gm)].map(([, file]) => file));
    return [...new Set(files)].sort();
}

describe(".gitignore", () => {
    it("ignores every file the examples of README and docs/ write in the checkout", () => {
        const written = filesWritten((Object.keys(DOC_PAGES) as DocPage[]).map(readDoc).join("\n"));
        assert.ok(written.includes("dev.json") && written.includes("status.txt"), `the outputs file and run's output are among ${written.join(", ")}`);
        // git's own matching; --no-index: as for a new file, whatever is tracked.
        const check = spawnSync("git", ["check-ignore", "--no-index", ...written], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(check.error, undefined);
        assert.deepEqual(check.stdout.split("\n").filter(Boolean).sort(), written);
    });

    it("ignores the stack files tests write into the project, so a running or killed test run leaves the checkout clean", () => {
        // Pulumi.dev.yaml, a stack of the project, is not ignored.
        const testFiles = TEST_STACK_KINDS.map((kind) => `Pulumi.${testStack(kind)}.yaml`);
        const check = spawnSync("git", ["check-ignore", "--no-index", ...testFiles, "Pulumi.dev.yaml"], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(check.error, undefined);
        assert.deepEqual(check.stdout.split("\n").filter(Boolean), testFiles);
    });
});
