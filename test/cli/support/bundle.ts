/** The built bin (cli/dist, see cli/build.ts): which sources went into which file, and whether it is up to date. */
import * as fs from "fs";
import * as path from "path";
import type { Metafile } from "esbuild";
import { ENTRY, METAFILE } from "../../../cli/build";
import { PROJECT_DIR } from "../../../synth/synth";

/** The bundle's metafile; fails if there is no bundle. */
export function readBundle(): Metafile {
    if (!fs.existsSync(METAFILE) || !fs.existsSync(ENTRY)) {
        throw new Error(`ecs-exec is not built (no ${path.relative(PROJECT_DIR, ENTRY)}): run npm run build (npm test does)`);
    }
    return JSON.parse(fs.readFileSync(METAFILE, "utf8"));
}

/** Fails if a source of the bundle changed after it was built: tests would run old code. */
export function assertBuiltFromCurrentSources(bundle = readBundle()): void {
    const builtAt = fs.statSync(ENTRY).mtimeMs;
    const newer = Object.keys(bundle.inputs).filter((input) => fs.statSync(path.join(PROJECT_DIR, input)).mtimeMs > builtAt);
    if (newer.length > 0) {
        throw new Error(`ecs-exec's bundle is older than ${newer.slice(0, 5).join(", ")}: run npm run build (npm test does)`);
    }
}

/** The sources in a bundle file (a path relative to the project, as the metafile has it) and in what it imports statically. */
export function staticInputs(bundle: Metafile, file: string, seen = new Set<string>()): Set<string> {
    const inputs = new Set<string>();
    if (seen.has(file)) {
        return inputs;
    }
    seen.add(file);
    const output = bundle.outputs[file];
    for (const input of Object.keys(output.inputs)) {
        inputs.add(input);
    }
    for (const imported of output.imports) {
        if (imported.kind === "import-statement" && !imported.external) {
            staticInputs(bundle, imported.path, seen).forEach((input) => inputs.add(input));
        }
    }
    return inputs;
}

/** The sources in bundle files given as absolute paths or file: URLs (what a process loaded). */
export function inputsOf(bundle: Metafile, files: string[]): Set<string> {
    const inputs = new Set<string>();
    for (const file of files) {
        const output = bundle.outputs[path.relative(PROJECT_DIR, file.startsWith("file:") ? new URL(file).pathname : file)];
        Object.keys(output?.inputs ?? {}).forEach((input) => inputs.add(input));
    }
    return inputs;
}
