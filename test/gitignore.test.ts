/** The checkout stays clean when someone runs README's examples in it. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../synth/synth";

/** Files README's commands write: `> FILE`, `--out FILE` / `-o FILE`, `--file FILE`, in code blocks and code spans. */
function filesWritten(markdown: string): string[] {
    const code = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map(([, block, span]) => block ?? span);
    const files = code.flatMap((text) => [...text.matchAll(/(?:^|\s)(?:>|--out|-o|--file)\s+([\w./-]+)/gm)].map(([, file]) => file));
    return [...new Set(files)].sort();
}

describe(".gitignore", () => {
    it("ignores every file README's examples write in the checkout", () => {
        const written = filesWritten(fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8"));
        assert.ok(written.includes("dev.json"), `README's outputs file is among ${written.join(", ")}`);
        // git's own matching; --no-index: as for a new file, whatever is tracked.
        const check = spawnSync("git", ["check-ignore", "--no-index", ...written], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(check.error, undefined);
        assert.deepEqual(check.stdout.split("\n").filter(Boolean).sort(), written);
    });
});
