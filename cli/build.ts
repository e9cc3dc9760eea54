/**
 * Builds the `ecs-exec` bin: the TypeScript sources bundled into JavaScript in cli/dist, so that nothing is
 * compiled when the tool runs. `npm ci` runs it (the `prepare` script), and so does `npm test` before mocha.
 *
 * ES modules with code splitting: each `import()` of the command line (a command, its AWS clients) becomes a chunk
 * that loads only when that command runs, so `--help` parses a small entry and no AWS SDK. The metafile records
 * which sources went into which file; tests read it.
 */
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

const PROJECT_DIR = path.resolve(__dirname, "..");
export const DIST_DIR = path.join(__dirname, "dist");
/** The bundle's entry, what cli/bin/ecs-exec.js imports. */
export const ENTRY = path.join(DIST_DIR, "main.mjs");
export const METAFILE = path.join(DIST_DIR, "meta.json");

/** Node.js versions the tool supports (package.json `engines`): the bundle uses nothing newer than the oldest. */
const TARGET = "node22";

export async function build(): Promise<esbuild.Metafile> {
    fs.rmSync(DIST_DIR, { recursive: true, force: true });
    const result = await esbuild.build({
        absWorkingDir: PROJECT_DIR,
        entryPoints: { main: path.join(__dirname, "main.ts") },
        outdir: DIST_DIR,
        outExtension: { ".js": ".mjs" },
        bundle: true,
        splitting: true,
        format: "esm",
        platform: "node",
        target: TARGET,
        // The SDK's ES module builds: no CommonJS wrappers to run, and exports that bundle as they are.
        mainFields: ["module", "main"],
        // CommonJS dependencies inside an ES module still call `require` for Node's own modules.
        banner: { js: 'import { createRequire as __createRequire } from "module"; const require = __createRequire(import.meta.url);' },
        metafile: true,
        logLevel: "warning",
    });
    fs.writeFileSync(METAFILE, JSON.stringify(result.metafile, null, 1));
    return result.metafile;
}

if (require.main === module) {
    build().catch(() => {
        // esbuild has printed what went wrong.
        process.exitCode = 1;
    });
}
