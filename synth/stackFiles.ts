/**
 * The project's and its stacks' files and their values, read apart from the SDK: synth answers a missing stack, a
 * file that is not YAML or a value of the wrong type before loading it, and `npm run check` needs the paths without it.
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

/** Config as the Pulumi CLI hands it to a program: project defaults under stack values, every value a string. */
export function resolveStackConfig(
    project: ProjectFile,
    stackConfig: Record<string, unknown>,
    overrides: Record<string, string> = {},
): Record<string, string> {
    const asCliString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
    // Like the CLI (stack files, `pulumi config set`, `--config`): a key without a namespace belongs to the project.
    const qualified = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const resolved: Record<string, string> = {};
    for (const [key, declared] of Object.entries(project.config)) {
        if (declared.default !== undefined) {
            resolved[`${project.name}:${key}`] = asCliString(declared.default);
        }
    }
    for (const [key, value] of [...Object.entries(stackConfig), ...Object.entries(overrides)]) {
        resolved[qualified(key)] = asCliString(value);
    }
    return resolved;
}

/**
 * What `pulumi preview` says of a stack value whose type is not the one Pulumi.yaml declares, or undefined. Mirrors
 * pulumi/pulumi pkg/workspace/config.go (validateStackConfigValues, validateStackConfigValue) and
 * sdk/go/common/workspace/project.go (ValidateConfigValue, InferFullTypeName): keys in sorted order, the first mismatch
 * only; an `object` is any map (Pulumi CLI 3.187 and later). A scalar of
 * the stack file is checked as the string Pulumi stores it as (sdk/go/common/resource/config/object.go,
 * MarshalString: `true` is "true", `256` is "256"), so a string-typed key accepts `true`; lists stay lists.
 */
export function stackConfigTypeError(stack: string, project: ProjectFile, stackConfig: Record<string, unknown>): string | undefined {
    for (const key of Object.keys(project.config).sort()) {
        const raw = stackConfig[`${project.name}:${key}`] ?? stackConfig[key];
        if (raw === undefined) {
            continue; // the default applies, which Pulumi checks against the type when it loads Pulumi.yaml
        }
        const declared = project.config[key];
        if (!hasDeclaredType(declared, storedValue(raw))) {
            return `Stack '${stack}' with configuration key '${key}' must be of type '${typeName(declared)}'`;
        }
    }
    return undefined;
}

/** A stack file's value as Pulumi stores it: a scalar as its string, a list or map as it is. */
export const storedValue = (raw: unknown): unknown => (typeof raw === "object" && raw !== null ? raw : String(raw));

/** Whether a stored value is of the type Pulumi.yaml declares (ValidateConfigValue). */
export function hasDeclaredType({ type, items }: DeclaredType, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return value === true || value === false || value === "true" || value === "false";
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
        case "array":
            return Array.isArray(value) && items !== undefined && value.every((item) => hasDeclaredType(items, item));
    }
}

/** A declared type as Pulumi names it (InferFullTypeName): array<item type>, nested. */
export const typeName = ({ type, items }: DeclaredType): string => (items ? `array<${typeName(items)}>` : type);
