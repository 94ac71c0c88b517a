/**
 * The house lint plugin `gt-daemon-house`.
 *
 * Rule `no-deno-outside-adapters`: the runtime (`Deno.*`: processes, files,
 * signals, the environment) belongs to `src/adapters/` and `main.ts`;
 * domain code gets it through injected ports. Both `Deno.X` member
 * expressions (also `Deno["X"]`) and destructuring (`const { X } = Deno`)
 * are reported; type names such as `Deno.Signal` are not code and pass.
 *
 * Rule `no-clock-outside-edge`: time and timers (`Date.now`,
 * `setTimeout`, `setInterval`, also through `globalThis`) belong to the
 * clock adapter (`src/adapters/clock.ts`) and the daemon loop
 * (`src/daemon/loop.ts`, `src/daemon/signal_queue.ts`); everything else
 * takes a `Clock`, so tests can drive time.
 *
 * Files under `tests/` and `scripts/` are exempt from both.
 *
 * @module
 */

/** Files that may read the clock and set timers directly. */
export const CLOCK_FILES: readonly string[] = [
  "src/adapters/clock.ts",
  "src/daemon/loop.ts",
  "src/daemon/signal_queue.ts",
];

/** Timer globals only {@link CLOCK_FILES} may use. */
export const TIMER_GLOBALS: readonly string[] = ["setTimeout", "setInterval"];

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Returns the path of `filename` relative to the project root, with `/`. */
export function projectRelative(filename: string, root: string = ROOT): string {
  let name = filename.replaceAll("\\", "/");
  if (name.startsWith("file://")) {
    name = decodeURIComponent(new URL(name).pathname);
  }
  if (name.startsWith(root + "/")) return name.slice(root.length + 1);
  return name.replace(/^\.\//, "");
}

/** True when `filename` may use `Deno.*`. */
export function isExemptFile(filename: string, root: string = ROOT): boolean {
  const rel = projectRelative(filename, root);
  return rel === "main.ts" || rel.startsWith("src/adapters/") ||
    rel.startsWith("tests/") || rel.startsWith("scripts/");
}

/** True when `filename` may read the clock and set timers directly. */
export function isClockFile(filename: string, root: string = ROOT): boolean {
  const rel = projectRelative(filename, root);
  return CLOCK_FILES.includes(rel) || rel.startsWith("tests/") ||
    rel.startsWith("scripts/");
}

function memberName(node: Deno.lint.MemberExpression): string | undefined {
  const prop = node.property;
  if (!node.computed && prop.type === "Identifier") return prop.name;
  if (
    node.computed && prop.type === "Literal" && typeof prop.value === "string"
  ) {
    return prop.value;
  }
  return undefined;
}

function message(name: string): string {
  return `"Deno.${name}" is only allowed in src/adapters/ and main.ts`;
}

const HINT = "Inject a port from src/adapters/ instead";

const CLOCK_HINT = "Take a Clock (src/adapters/clock.ts) instead";

function clockMessage(name: string): string {
  return `"${name}" is only allowed in the clock adapter and the daemon loop`;
}

/** True when an identifier node is a reference, not a key or a member name. */
function isReference(node: Deno.lint.Identifier): boolean {
  const parent = node.parent;
  if (parent.type === "MemberExpression") {
    return parent.object === node || parent.computed;
  }
  if (parent.type === "Property") return parent.value === node;
  if (
    parent.type === "MethodDefinition" || parent.type === "PropertyDefinition"
  ) {
    return parent.computed;
  }
  if (parent.type === "TSQualifiedName" || parent.type === "TSTypeQuery") {
    return false;
  }
  return true;
}

const plugin: Deno.lint.Plugin = {
  name: "gt-daemon-house",
  rules: {
    "no-deno-outside-adapters": {
      create(ctx) {
        if (isExemptFile(ctx.filename)) return {};
        return {
          MemberExpression(node) {
            if (node.object.type !== "Identifier") return;
            if (node.object.name !== "Deno") return;
            const name = memberName(node) ?? "[…]";
            ctx.report({ node, message: message(name), hint: HINT });
          },
          VariableDeclarator(node) {
            if (node.init?.type !== "Identifier") return;
            if (node.init.name !== "Deno") return;
            if (node.id.type !== "ObjectPattern") return;
            for (const p of node.id.properties) {
              if (p.type !== "Property" || p.key.type !== "Identifier") {
                continue;
              }
              ctx.report({
                node: p,
                message: message(p.key.name),
                hint: HINT,
              });
            }
          },
        };
      },
    },
    "no-clock-outside-edge": {
      create(ctx) {
        if (isClockFile(ctx.filename)) return {};
        return {
          MemberExpression(node) {
            if (node.object.type !== "Identifier") return;
            const name = memberName(node);
            if (node.object.name === "Date" && name === "now") {
              ctx.report({
                node,
                message: clockMessage("Date.now"),
                hint: CLOCK_HINT,
              });
            } else if (
              node.object.name === "globalThis" && name !== undefined &&
              TIMER_GLOBALS.includes(name)
            ) {
              ctx.report({
                node,
                message: clockMessage(name),
                hint: CLOCK_HINT,
              });
            }
          },
          Identifier(node) {
            if (!TIMER_GLOBALS.includes(node.name) || !isReference(node)) {
              return;
            }
            ctx.report({
              node,
              message: clockMessage(node.name),
              hint: CLOCK_HINT,
            });
          },
        };
      },
    },
  },
};

export default plugin;
