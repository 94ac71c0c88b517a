import assert from "node:assert/strict";
import { join } from "node:path";
import { launchEnv } from "../../src/adapters/launch_env.ts";
import { UsageError } from "../../src/errors.ts";
import {
  launchdLabel,
  renderCrontabLine,
  renderLaunchdPlist,
  renderSystemdUnit,
  systemdUnitName,
  townHash,
} from "../../src/cli/service_units.ts";
import { exists } from "../helpers/files.ts";

const ODD_TOWN = `/srv/my town "q" it's 100% $USER`;

Deno.test("townHash() is stable and differs between towns", () => {
  assert.equal(townHash("/srv/town"), townHash("/srv/town"));
  assert.notEqual(townHash("/srv/town"), townHash("/srv/town2"));
  assert.match(townHash(ODD_TOWN), /^[0-9a-f]{8}$/);
  assert.equal(systemdUnitName("/t"), `gt-daemon-${townHash("/t")}`);
  assert.equal(launchdLabel("/t"), `com.gastown.gt-daemon.${townHash("/t")}`);
});

Deno.test("renderSystemdUnit() writes restart limits, PATH and stop through the unit", async (t) => {
  await t.step("renders a plain town exactly", () => {
    const unit = renderSystemdUnit({
      town: "/srv/town",
      exec: ["/usr/local/bin/gt-daemon"],
      path: "/usr/local/bin:/usr/bin:/bin",
    });
    assert.equal(
      unit,
      `# gt-daemon service for one Gas Town, written by 'gt-daemon service install'.
[Unit]
Description=Gas Town daemon for /srv/town
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=simple
WorkingDirectory=/srv/town
Environment="PATH=/usr/local/bin:/usr/bin:/bin"
ExecStart="/usr/local/bin/gt-daemon" "run" "--town" "/srv/town"
ExecStop="/usr/local/bin/gt-daemon" "stop" "--town" "/srv/town"
# The agents' tmux server may have been started by the daemon and so
# live in this unit's cgroup: stopping the daemon must not kill it.
KillMode=process
TimeoutStopSec=15
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`,
    );
  });

  await t.step("escapes quotes, %, $ and spaces", () => {
    const unit = renderSystemdUnit({
      town: ODD_TOWN,
      exec: ["/opt/gt 100%/gt-daemon", "a\\b"],
      path: "/home/u x/bin:/bin",
      interval: "5m",
    });
    const lines = unit.split("\n");
    assert.ok(
      lines.includes(`WorkingDirectory=/srv/my town "q" it's 100%% $USER`),
    );
    assert.ok(lines.includes(`Environment="PATH=/home/u x/bin:/bin"`));
    assert.ok(lines.includes(
      `ExecStart="/opt/gt 100%%/gt-daemon" "a\\\\b" "run" "--town" "/srv/my town \\"q\\" it's 100%% $$USER" "--interval" "5m"`,
    ));
  });

  await t.step("sets the launch variables after PATH, escaped", () => {
    const unit = renderSystemdUnit({
      town: "/srv/town",
      exec: ["/usr/local/bin/gt-daemon"],
      path: "/usr/bin:/bin",
      env: { MALLOC_ARENA_MAX: "2", GT_DAEMON_LAUNCH_ENV: 'a "b" 5%\\' },
    });
    const env = unit.split("\n").filter((l) => l.startsWith("Environment="));
    assert.deepEqual(env, [
      `Environment="PATH=/usr/bin:/bin"`,
      `Environment="MALLOC_ARENA_MAX=2"`,
      `Environment="GT_DAEMON_LAUNCH_ENV=a \\"b\\" 5%%\\\\"`,
    ]);
  });

  await t.step("refuses variables a unit file cannot carry", () => {
    const spec = { town: "/t", exec: ["/x/gt-daemon"], path: "/bin" };
    for (const env of [{ "A=B": "1" }, { "": "1" }, { PATH: "/x" }]) {
      assert.throws(() => renderSystemdUnit({ ...spec, env }), UsageError);
      assert.throws(() => renderLaunchdPlist({ ...spec, env }), UsageError);
    }
    assert.throws(
      () => renderSystemdUnit({ ...spec, env: { A: "1\n2" } }),
      UsageError,
    );
  });

  await t.step("refuses paths systemd cannot represent", () => {
    const spec = { town: "/t", exec: ["/x/gt-daemon"], path: "/bin" };
    assert.throws(
      () => renderSystemdUnit({ ...spec, exec: [`/x "y"/gt-daemon`] }),
      UsageError,
    );
    assert.throws(
      () => renderSystemdUnit({ ...spec, town: "/t\nx" }),
      UsageError,
    );
    assert.throws(
      () => renderSystemdUnit({ ...spec, town: "rel" }),
      UsageError,
    );
    assert.throws(
      () => renderSystemdUnit({ ...spec, exec: ["gt-daemon"] }),
      UsageError,
    );
  });
});

Deno.test("renderSystemdUnit() output passes systemd-analyze verify for a town with spaces", async () => {
  const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find(
    exists,
  );
  if (analyze === undefined) {
    console.log("skipped: systemd-analyze is not installed");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const bin = join(dir, "bin 100% $HOME");
    const town = join(dir, `my town "q" it's 50% $USER`);
    await Deno.mkdir(bin);
    await Deno.mkdir(town);
    await Deno.writeTextFile(join(bin, "gt-daemon"), "#!/bin/sh\n", {
      mode: 0o755,
    });
    const file = join(dir, "gt-daemon-verify.service");
    await Deno.writeTextFile(
      file,
      renderSystemdUnit({
        town,
        exec: [join(bin, "gt-daemon")],
        path: "/usr/bin:/bin",
        env: launchEnv({}),
      }),
    );
    const out = await new Deno.Command(analyze, {
      args: ["verify", file],
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(out.stderr) +
      new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, text);
    assert.equal(text.includes("gt-daemon-verify"), false, text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderLaunchdPlist() escapes every value as XML", () => {
  const plist = renderLaunchdPlist({
    town: `/Users/a b/t<&>"'`,
    exec: ["/opt/gt-daemon"],
    path: "/opt/homebrew/bin:/usr/bin:/bin",
    env: { MALLOC_ARENA_MAX: "2", GT_DAEMON_LAUNCH_ENV: "<&>" },
  });
  const strings = [...plist.matchAll(/<string>([^<]*)<\/string>/g)].map((m) =>
    m[1]!.replaceAll("&lt;", "<").replaceAll("&gt;", ">")
      .replaceAll("&quot;", '"').replaceAll("&apos;", "'")
      .replaceAll("&amp;", "&")
  );
  const town = `/Users/a b/t<&>"'`;
  assert.deepEqual(strings, [
    launchdLabel(town),
    "/opt/gt-daemon",
    "run",
    "--town",
    town,
    town,
    "/opt/homebrew/bin:/usr/bin:/bin",
    "2",
    "<&>",
    "Background",
    `${town}/daemon/launchd.log`,
    `${town}/daemon/launchd.log`,
  ]);
  assert.match(
    plist,
    /<key>ThrottleInterval<\/key>\n {2}<integer>30<\/integer>/,
  );
  assert.match(
    plist,
    /<key>KeepAlive<\/key>\n {2}<dict>\n {4}<key>SuccessfulExit<\/key>\n {4}<false\/>/,
  );
  assert.match(plist, /<key>RunAtLoad<\/key>\n {2}<true\/>/);
  assert.match(
    plist,
    /<key>EnvironmentVariables<\/key>\n {2}<dict>\n {4}<key>PATH<\/key>\n.*\n {4}<key>MALLOC_ARENA_MAX<\/key>\n {4}<string>2<\/string>\n {4}<key>GT_DAEMON_LAUNCH_ENV<\/key>\n {4}<string>&lt;&amp;&gt;<\/string>\n {2}<\/dict>/,
  );
  assert.equal(plist.includes("&<"), false);
});

Deno.test("renderCrontabLine() gives the argv back through sh and cron's % rule", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = join(dir, `b 'q' "d" 100% $HOME`);
    await Deno.mkdir(bin);
    const program = join(bin, "gt-daemon");
    await Deno.writeTextFile(
      program,
      `#!/bin/sh\nprintf '%s\\n' "$PATH"\nprintf '%s\\n' "$@"\n`,
      { mode: 0o755 },
    );
    const line = renderCrontabLine({
      town: ODD_TOWN,
      exec: [program],
      path: "/x 1%:/usr/bin:/bin",
    });
    assert.ok(line.startsWith("* * * * * PATH="));
    assert.ok(line.endsWith("\n"));
    assert.equal(/[^\\]%/.test(line), false, "every % is escaped for cron");
    // cron removes the backslash before % and hands the rest to sh -c.
    const command = line.slice("* * * * * ".length, -1).replaceAll("\\%", "%");
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", command],
      stdin: "null",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(new TextDecoder().decode(out.stdout).split("\n"), [
      "/x 1%:/usr/bin:/bin",
      "start",
      "--quiet",
      "--town",
      ODD_TOWN,
      "",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
