/**
 * The project's and its stacks' files, read apart from the SDK: synth answers a missing stack or a file that is not
 * YAML before loading it, and `npm run check` needs the paths without it.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { SynthUsageError } from "./errors";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export function stackFilePath(stack: string, projectDir = PROJECT_DIR): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The type of a config key or of its items, as Pulumi.yaml declares it. */
export interface DeclaredType {
    type: "string" | "integer" | "boolean" | "array" | "object";
    items?: DeclaredType;
}

/** A config key declared in Pulumi.yaml. */
export interface DeclaredConfig extends DeclaredType {
    description?: string;
    default?: unknown;
}

export interface ProjectFile {
    name: string;
    config: Record<string, DeclaredConfig>;
}

export function readProjectFile(projectDir = PROJECT_DIR): ProjectFile {
    const doc = readYaml(path.join(projectDir, "Pulumi.yaml"));
    return { name: doc.name, config: doc.config ?? {} };
}

/** A file as its user would name it: relative to where they are. */
export const shownPath = (file: string) => path.relative(process.cwd(), file) || file;

/** The stack file's `config:` block as written (qualified keys, structured values). */
export function readStackConfig(stack: string, projectDir = PROJECT_DIR): Record<string, unknown> {
    const file = stackFilePath(stack, projectDir);
    if (!fs.existsSync(file)) {
        throw new SynthUsageError(`no stack file ${path.basename(file)} in ${projectDir}`);
    }
    return readYaml(file).config ?? {};
}

/** A YAML file's document; one that is not YAML is refused in one line, `<file>:<line>:<column>: ...`, as compilers name a place. */
function readYaml(file: string): any {
    try {
        return yaml.load(fs.readFileSync(file, "utf8")) ?? {};
    } catch (e) {
        if (e instanceof yaml.YAMLException) {
            throw new SynthUsageError(`${shownPath(file)}:${e.mark.line + 1}:${e.mark.column + 1}: not valid YAML: ${e.reason}`);
        }
        throw e;
    }
}

