/**
 * Service definitions that keep one town's daemon running: a systemd user
 * unit, a launchd agent plist and a crontab line. Pure text builders; every
 * value is escaped for its format, so a town path with spaces, quotes, `%`
 * or `$` survives. The unit and the plist set the launch variables
 * ({@link UnitSpec.env}) beside `PATH`; the crontab line runs `start`, which
 * adds them to the daemon it spawns.
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** What a service definition needs to know. */
export interface UnitSpec {
  /** Absolute town directory. */
  town: string;
  /** Argv prefix that runs this program (`selfCommand()`). */
  exec: readonly string[];
  /** The `PATH` the daemon gets (service managers give a minimal one). */
  path: string;
  /** Heartbeat interval passed to `run --interval`, when set. */
  interval?: string | undefined;
  /** Variables set for the daemon besides `PATH` (the launch variables). */
  env?: Readonly<Record<string, string>> | undefined;
}

/** Seconds systemd waits for a stop before SIGKILL. */
export const STOP_TIMEOUT_SEC = 15;
/** Restart limit window (systemd `StartLimitIntervalSec`). */
export const START_LIMIT_INTERVAL_SEC = 300;
/** Starts allowed in the window (systemd `StartLimitBurst`). */
export const START_LIMIT_BURST = 5;
/** Minimum seconds between launchd restarts (`ThrottleInterval`). */
export const THROTTLE_INTERVAL_SEC = 30;

/** Returns a short stable id for a town path (FNV-1a, 8 hex digits). */
export function townHash(town: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(town)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The systemd unit name (without `.service`) for a town. */
export function systemdUnitName(town: string): string {
  return `gt-daemon-${townHash(town)}`;
}

/** The launchd label for a town. */
export function launchdLabel(town: string): string {
  return `com.gastown.gt-daemon.${townHash(town)}`;
}

/** Throws UsageError when a value cannot be written into a unit file. */
export function checkUnitValue(what: string, value: string): void {
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(
      `Control characters cannot go into a service file: ${what} ${
        JSON.stringify(value)
      }`,
    );
  }
}

function checkSpec(spec: UnitSpec): void {
  if (!spec.town.startsWith("/")) {
    throw new UsageError(`Town must be an absolute path: "${spec.town}"`);
  }
  if (spec.exec.length === 0 || !spec.exec[0]?.startsWith("/")) {
    throw new UsageError(
      `Program must be an absolute path: "${spec.exec[0] ?? ""}"`,
    );
  }
  checkUnitValue("town", spec.town);
  checkUnitValue("PATH", spec.path);
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === "PATH") {
      throw new UsageError(
        `Invalid variable name for a service file: "${name}"`,
      );
    }
    checkUnitValue(name, value);
  }
  for (const arg of spec.exec) checkUnitValue("argument", arg);
  if (spec.interval !== undefined) checkUnitValue("interval", spec.interval);
}

/** The argv a service manager runs in the foreground: `<self> run --town <town>`. */
export function runArgv(spec: UnitSpec): string[] {
  const interval = spec.interval === undefined
    ? []
    : ["--interval", spec.interval];
  return [...spec.exec, "run", "--town", spec.town, ...interval];
}

/** The argv that stops the daemon: `<self> stop --town <town>`. */
export function stopArgv(spec: UnitSpec): string[] {
  return [...spec.exec, "stop", "--town", spec.town];
}

/** Escapes specifiers (`%`) for a systemd value that is not quoted. */
export function systemdEscapeValue(value: string): string {
  return value.replaceAll("%", "%%");
}

/**
 * Quotes one word of a systemd command line: double quotes, C escapes for
 * `\` and `"`, `%%` for specifiers and `$$` for variable expansion.
 */
export function systemdQuoteArg(arg: string): string {
  const body = arg.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("%", "%%").replaceAll("$", "$$$$");
  return `"${body}"`;
}

/**
 * Quotes the program word of a systemd command line. systemd expands no
 * variables in it and refuses quotes and backslashes in it.
 */
export function systemdQuoteProgram(program: string): string {
  if (/["'\\]/.test(program)) {
    throw new UsageError(
      `systemd cannot run a program whose path has quotes or backslashes: "${program}"`,
    );
  }
  return `"${program.replaceAll("%", "%%")}"`;
}

/** Renders the systemd user unit for a town. */
export function renderSystemdUnit(spec: UnitSpec): string {
  checkSpec(spec);
  const cmd = ([program, ...args]: string[]) =>
    [systemdQuoteProgram(program ?? ""), ...args.map(systemdQuoteArg)].join(
      " ",
    );
  const env = (text: string) =>
    `Environment="${
      text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
        .replaceAll("%", "%%")
    }"`;
  return [
    `# gt-daemon service for one Gas Town, written by 'gt-daemon service install'.`,
    `[Unit]`,
    `Description=${systemdEscapeValue(`Gas Town daemon for ${spec.town}`)}`,
    `StartLimitIntervalSec=${START_LIMIT_INTERVAL_SEC}`,
    `StartLimitBurst=${START_LIMIT_BURST}`,
    ``,
    `[Service]`,
    `Type=simple`,
    `WorkingDirectory=${systemdEscapeValue(spec.town)}`,
    env(`PATH=${spec.path}`),
    ...Object.entries(spec.env ?? {}).map(([k, v]) => env(`${k}=${v}`)),
    `ExecStart=${cmd(runArgv(spec))}`,
    `ExecStop=${cmd(stopArgv(spec))}`,
    `# The agents' tmux server may have been started by the daemon and so`,
    `# live in this unit's cgroup: stopping the daemon must not kill it.`,
    `KillMode=process`,
    `TimeoutStopSec=${STOP_TIMEOUT_SEC}`,
    `Restart=on-failure`,
    `RestartSec=5`,
    ``,
    `[Install]`,
    `WantedBy=default.target`,
    ``,
  ].join("\n");
}

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** Renders the launchd agent plist for a town. */
export function renderLaunchdPlist(spec: UnitSpec): string {
  checkSpec(spec);
  const s = (v: string) => `<string>${xmlEscape(v)}</string>`;
  const log = `${spec.town.replace(/\/+$/, "")}/daemon/launchd.log`;
  const args = runArgv(spec).map((a) => `    ${s(a)}`);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    `<dict>`,
    `  <key>Label</key>`,
    `  ${s(launchdLabel(spec.town))}`,
    `  <key>ProgramArguments</key>`,
    `  <array>`,
    ...args,
    `  </array>`,
    `  <key>WorkingDirectory</key>`,
    `  ${s(spec.town)}`,
    `  <key>EnvironmentVariables</key>`,
    `  <dict>`,
    `    <key>PATH</key>`,
    `    ${s(spec.path)}`,
    ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => [
      `    <key>${xmlEscape(k)}</key>`,
      `    ${s(v)}`,
    ]),
    `  </dict>`,
    `  <key>RunAtLoad</key>`,
    `  <true/>`,
    `  <key>KeepAlive</key>`,
    `  <dict>`,
    `    <key>SuccessfulExit</key>`,
    `    <false/>`,
    `  </dict>`,
    `  <key>ThrottleInterval</key>`,
    `  <integer>${THROTTLE_INTERVAL_SEC}</integer>`,
    `  <key>ExitTimeOut</key>`,
    `  <integer>${STOP_TIMEOUT_SEC}</integer>`,
    `  <key>AbandonProcessGroup</key>`,
    `  <true/>`,
    `  <key>ProcessType</key>`,
    `  ${s("Background")}`,
    `  <key>StandardOutPath</key>`,
    `  ${s(log)}`,
    `  <key>StandardErrorPath</key>`,
    `  ${s(log)}`,
    `</dict>`,
    `</plist>`,
    ``,
  ].join("\n");
}

/** Quotes one word for POSIX sh (single quotes). */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Renders a crontab line that starts the daemon every minute if it is not
 * running. `%` is escaped because cron turns a bare `%` into a newline.
 */
export function renderCrontabLine(spec: UnitSpec): string {
  checkSpec(spec);
  const interval = spec.interval === undefined
    ? []
    : ["--interval", spec.interval];
  const argv = [
    ...spec.exec,
    "start",
    "--quiet",
    "--town",
    spec.town,
    ...interval,
  ];
  const command = `PATH=${shQuote(spec.path)} ${argv.map(shQuote).join(" ")}`;
  return `* * * * * ${command.replaceAll("%", "\\%")}\n`;
}
