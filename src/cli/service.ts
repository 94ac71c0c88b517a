/**
 * `gt-daemon service install|uninstall|print [--systemd|--launchd|--cron]`:
 * writes, removes or prints the service definition that keeps this town's
 * daemon running. It never runs `systemctl` or `launchctl` itself; it prints
 * the commands to run, so that enabling, starting and stopping go through
 * the service manager and stay visible to the operator.
 *
 * @module
 */

import { errorMessage, UsageError } from "../errors.ts";
import {
  launchdLabel,
  renderCrontabLine,
  renderLaunchdPlist,
  renderSystemdUnit,
  shQuote,
  systemdUnitName,
  type UnitSpec,
} from "./service_units.ts";
import { parseFlags } from "./flags.ts";

/** What `service` does. */
export type ServiceAction = "install" | "uninstall" | "print";

/** Which service manager to write for. */
export type ServiceKind = "systemd" | "launchd" | "cron";

/** Parsed `service` arguments. */
export interface ServiceOptions {
  /** install, uninstall or print; absent only with `help`. */
  action?: ServiceAction;
  /** The service manager; the platform's own when absent. */
  kind?: ServiceKind;
  /** The town from `--town`; the caller resolves it when absent. */
  town?: string;
  /** `PATH` for the daemon from `--path`; the resolved tools' dirs when absent. */
  path?: string;
  /** Heartbeat interval passed on to `run --interval`. */
  interval?: string;
  /** True for `--help`. */
  help: boolean;
}

/** Usage text of `gt-daemon service`. */
export const SERVICE_HELP =
  `Usage: gt-daemon service <install|uninstall|print> [options]

Write, remove or print the service definition that keeps this town's daemon
running. Nothing is enabled or started: the commands to do that are printed.

Actions:
  install     Write the unit (systemd) or agent plist (launchd) for the town
  uninstall   Remove it (stop it through the service manager first)
  print       Print it to stdout (with --cron: the crontab line)

Options:
  --systemd         systemd user unit (default on Linux)
  --launchd         launchd agent (default on macOS)
  --cron            crontab line (print only; add it with 'crontab -e')
  --town <dir>      Town directory (default: found from the current directory)
  --path <PATH>     PATH for the daemon (default: the dirs of the tools found)
  --interval <dur>  Heartbeat interval passed to 'run'
  -h, --help        Show this help
`;

const ACTIONS: readonly string[] = ["install", "uninstall", "print"];

/** Parses the arguments after `service`; throws UsageError on bad input. */
export function parseServiceArgs(args: string[]): ServiceOptions {
  let parsed;
  try {
    parsed = parseFlags(args, {
      systemd: { type: "boolean" },
      launchd: { type: "boolean" },
      cron: { type: "boolean" },
      town: { type: "string" },
      path: { type: "string" },
      interval: { type: "string" },
      help: { type: "boolean", short: "h" },
    }, true);
  } catch (err) {
    throw new UsageError(`Invalid service arguments: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const { values, positionals } = parsed;
  const opts: ServiceOptions = { help: values.help === true };
  if (opts.help) return opts;
  const [action, ...extra] = positionals;
  if (action === undefined) {
    throw new UsageError("Missing service action: install, uninstall or print");
  }
  if (!ACTIONS.includes(action)) {
    throw new UsageError(`Unknown service action: "${action}"`);
  }
  if (extra.length > 0) {
    throw new UsageError(`Unexpected argument: "${extra[0]}"`);
  }
  opts.action = action as ServiceAction;
  const kinds = (["systemd", "launchd", "cron"] as const).filter((k) =>
    values[k] === true
  );
  if (kinds.length > 1) {
    throw new UsageError(
      `Choose one of --systemd, --launchd, --cron: got "--${
        kinds.join('", "--')
      }"`,
    );
  }
  if (kinds[0] !== undefined) opts.kind = kinds[0];
  if (opts.kind === "cron" && opts.action !== "print") {
    throw new UsageError(
      `Crontab lines are not ${opts.action}ed: use "service print --cron" and "crontab -e"`,
    );
  }
  if (values.town !== undefined) {
    if (values.town === "") throw new UsageError("Empty --town");
    opts.town = values.town;
  }
  if (values.path !== undefined) {
    if (values.path === "") throw new UsageError("Empty --path");
    opts.path = values.path;
  }
  if (values.interval !== undefined) {
    if (values.interval === "") throw new UsageError("Empty --interval");
    opts.interval = values.interval;
  }
  return opts;
}

/** What `runService` needs from the outside world. */
export interface ServiceDeps {
  /** Writes a text file, creating its parent directories. */
  writeFile(path: string, text: string): Promise<void>;
  /** Removes a file; resolves false when it did not exist. */
  removeFile(path: string): Promise<boolean>;
  /** Creates a directory and its parents (`mkdir -p`). */
  ensureDir(path: string): Promise<void>;
  /** The user's home directory. */
  home: string;
  /** `$XDG_CONFIG_HOME` when set; `<home>/.config` otherwise. */
  configHome?: string | undefined;
  /** Writes text to stdout. */
  stdout: (text: string) => void;
  /** `Deno.build.os` (`linux`, `darwin`, …). */
  platform: string;
  /** Argv prefix that runs this program (`selfCommand()`). */
  self: readonly string[];
  /** PATH to use when `--path` is not given (`servicePath(found)`). */
  path: string;
  /** Variables the service manager adds for the daemon (`launchEnv({})`). */
  launchEnv: Readonly<Record<string, string>>;
}

/** Where `install` writes for a town. */
export function serviceFilePath(
  deps: Pick<ServiceDeps, "home" | "configHome">,
  kind: "systemd" | "launchd",
  town: string,
): string {
  if (kind === "launchd") {
    return `${deps.home}/Library/LaunchAgents/${launchdLabel(town)}.plist`;
  }
  const config = deps.configHome ?? `${deps.home}/.config`;
  return `${config}/systemd/user/${systemdUnitName(town)}.service`;
}

/** Runs `service`; `opts.town` must be set (absolute) by the caller. */
export async function runService(
  deps: ServiceDeps,
  opts: ServiceOptions,
): Promise<number> {
  if (opts.help) {
    deps.stdout(SERVICE_HELP);
    return 0;
  }
  if (opts.action === undefined) {
    throw new UsageError("Missing service action: install, uninstall or print");
  }
  if (opts.town === undefined) throw new UsageError("Missing town directory");
  const town = opts.town.length > 1 ? opts.town.replace(/\/+$/, "") : opts.town;
  const kind = opts.kind ??
    (deps.platform === "darwin" ? "launchd" : "systemd");
  const spec: UnitSpec = {
    town,
    exec: deps.self,
    path: opts.path ?? deps.path,
    interval: opts.interval,
    env: deps.launchEnv,
  };
  const text = kind === "cron"
    ? renderCrontabLine(spec)
    : kind === "launchd"
    ? renderLaunchdPlist(spec)
    : renderSystemdUnit(spec);
  if (opts.action === "print" || kind === "cron") {
    deps.stdout(text);
    return 0;
  }
  const file = serviceFilePath(deps, kind, town);
  const out = (lines: string[]) => deps.stdout(lines.join("\n") + "\n");
  const unit = `${systemdUnitName(town)}.service`;
  const label = launchdLabel(town);
  if (opts.action === "install") {
    if (kind === "launchd") await deps.ensureDir(`${town}/daemon`);
    await deps.writeFile(file, text);
    out(
      kind === "systemd"
        ? [
          `Wrote ${file}`,
          "Enable and start it:",
          "  systemctl --user daemon-reload",
          `  systemctl --user enable --now ${unit}`,
          'Keep it running after logout: loginctl enable-linger "$USER"',
          `Stop it: systemctl --user stop ${unit}`,
          `Status: systemctl --user status ${unit}`,
        ]
        : [
          `Wrote ${file}`,
          "Load and start it:",
          `  launchctl bootstrap gui/$(id -u) ${shQuote(file)}`,
          `Stop and unload it: launchctl bootout gui/$(id -u)/${label}`,
          `Restart it: launchctl kickstart -k gui/$(id -u)/${label}`,
        ],
    );
    return 0;
  }
  const removed = await deps.removeFile(file);
  if (kind === "systemd") {
    const config = deps.configHome ?? `${deps.home}/.config`;
    await deps.removeFile(
      `${config}/systemd/user/default.target.wants/${unit}`,
    );
  }
  out([
    removed ? `Removed ${file}` : `Nothing to remove: no file at ${file}`,
    ...(kind === "systemd"
      ? [
        "If it is still running, stop it and reload systemd:",
        `  systemctl --user stop ${unit}`,
        "  systemctl --user daemon-reload",
      ]
      : [
        "If it is still loaded, unload it:",
        `  launchctl bootout gui/$(id -u)/${label}`,
      ]),
  ]);
  return 0;
}
