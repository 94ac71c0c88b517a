import assert from "node:assert/strict";
import { join } from "node:path";
import { serviceFs } from "../../src/adapters/cli_fs.ts";
import { launchEnv } from "../../src/adapters/launch_env.ts";
import { UsageError } from "../../src/errors.ts";
import {
  parseServiceArgs,
  runService,
  SERVICE_HELP,
  type ServiceDeps,
} from "../../src/cli/service.ts";
import {
  launchdLabel,
  renderSystemdUnit,
  systemdUnitName,
} from "../../src/cli/service_units.ts";
import { exists } from "../helpers/files.ts";

Deno.test("parseServiceArgs() reads the action and the manager", async (t) => {
  await t.step("accepts each action with defaults", () => {
    for (const action of ["install", "uninstall", "print"]) {
      assert.deepEqual(parseServiceArgs([action]), { help: false, action });
    }
  });

  await t.step("reads --systemd, --town, --path and --interval", () => {
    assert.deepEqual(
      parseServiceArgs([
        "print",
        "--systemd",
        "--town",
        "/t",
        "--path=/a:/b",
        "--interval",
        "3m",
      ]),
      {
        help: false,
        action: "print",
        kind: "systemd",
        town: "/t",
        path: "/a:/b",
        interval: "3m",
      },
    );
  });

  await t.step("returns help without an action", () => {
    assert.deepEqual(parseServiceArgs(["-h"]), { help: true });
  });

  await t.step("throws UsageError on bad input", () => {
    const bad = [
      [],
      ["start"],
      ["print", "extra"],
      ["print", "--systemd", "--launchd"],
      ["install", "--cron"],
      ["uninstall", "--cron"],
      ["print", "--bogus"],
      ["print", "--town"],
      ["print", "--town="],
    ];
    for (const args of bad) {
      assert.throws(() => parseServiceArgs(args), UsageError, args.join(" "));
    }
  });
});

function fileDeps(home: string, platform: string, out: string[]): ServiceDeps {
  return {
    ...serviceFs,
    home,
    stdout: (s) => out.push(s),
    platform,
    self: ["/opt/gt-daemon"],
    path: "/usr/bin:/bin",
    launchEnv: launchEnv({}),
  };
}

Deno.test("runService() installs and uninstalls into the user's home", async (t) => {
  const home = await Deno.makeTempDir();
  const town = join(home, 'my town\'s "place"');
  try {
    await Deno.mkdir(town);

    await t.step(
      "install writes the systemd unit and prints how to enable it",
      async () => {
        const out: string[] = [];
        const deps = fileDeps(home, "linux", out);
        assert.equal(
          await runService(deps, { help: false, action: "install", town }),
          0,
        );
        const unit = `${systemdUnitName(town)}.service`;
        const file = join(home, ".config/systemd/user", unit);
        assert.equal(
          await Deno.readTextFile(file),
          renderSystemdUnit({
            town,
            exec: ["/opt/gt-daemon"],
            path: "/usr/bin:/bin",
            env: launchEnv({}),
          }),
        );
        assert.ok(
          (await Deno.readTextFile(file)).includes(
            `Environment="MALLOC_ARENA_MAX=2"\n` +
              `Environment="GT_DAEMON_LAUNCH_ENV=MALLOC_ARENA_MAX"\n`,
          ),
        );
        const text = out.join("");
        assert.ok(text.includes(`Wrote ${file}\n`));
        assert.ok(text.includes(`systemctl --user enable --now ${unit}\n`));
        assert.ok(text.includes(`systemctl --user stop ${unit}\n`));
      },
    );

    await t.step("uninstall removes the unit and its wants link", async () => {
      const unit = `${systemdUnitName(town)}.service`;
      const wants = join(home, ".config/systemd/user/default.target.wants");
      await Deno.mkdir(wants, { recursive: true });
      await Deno.symlink(
        join(home, ".config/systemd/user", unit),
        join(wants, unit),
      );
      const out: string[] = [];
      await runService(fileDeps(home, "linux", out), {
        help: false,
        action: "uninstall",
        town,
      });
      assert.equal(exists(join(home, ".config/systemd/user", unit)), false);
      assert.equal(exists(join(wants, unit)), false);
      assert.ok(out.join("").startsWith("Removed "));
      const again: string[] = [];
      await runService(fileDeps(home, "linux", again), {
        help: false,
        action: "uninstall",
        town,
      });
      assert.ok(again.join("").startsWith("Nothing to remove: no file at "));
    });

    await t.step(
      "install on darwin writes the launchd plist and the log dir",
      async () => {
        const out: string[] = [];
        await runService(fileDeps(home, "darwin", out), {
          help: false,
          action: "install",
          town: town + "/",
        });
        const file = join(
          home,
          "Library/LaunchAgents",
          `${launchdLabel(town)}.plist`,
        );
        const plist = await Deno.readTextFile(file);
        assert.ok(plist.includes("<key>ThrottleInterval</key>"));
        assert.ok(
          plist.includes(
            "<key>MALLOC_ARENA_MAX</key>\n    <string>2</string>\n",
          ),
        );
        assert.ok(exists(join(town, "daemon")));
        assert.ok(
          out.join("").includes(
            `launchctl bootout gui/$(id -u)/${launchdLabel(town)}`,
          ),
        );
        await runService(fileDeps(home, "darwin", []), {
          help: false,
          action: "uninstall",
          town,
        });
        assert.equal(exists(file), false);
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("runService() prints without touching files", async (t) => {
  const deps = fileDeps("/nonexistent-home", "linux", []);
  const forbid = () => Promise.reject(new Error("no file access expected"));
  const printDeps = (out: string[]): ServiceDeps => ({
    ...deps,
    writeFile: forbid,
    removeFile: forbid,
    ensureDir: forbid,
    stdout: (s) => out.push(s),
  });

  await t.step("prints the crontab line with --cron and --path", async () => {
    const out: string[] = [];
    await runService(printDeps(out), {
      help: false,
      action: "print",
      kind: "cron",
      town: "/srv/t",
      path: "/p",
    });
    assert.deepEqual(out, [
      "* * * * * PATH=/p /opt/gt-daemon start --quiet --town /srv/t\n",
    ]);
  });

  await t.step(
    "prints the unit of the platform's manager by default",
    async () => {
      const out: string[] = [];
      await runService(printDeps(out), {
        help: false,
        action: "print",
        town: "/srv/t",
      });
      assert.ok(out.join("").includes("[Service]"));
      const mac: string[] = [];
      await runService({ ...printDeps(mac), platform: "darwin" }, {
        help: false,
        action: "print",
        town: "/srv/t",
      });
      assert.ok(mac.join("").includes("<plist"));
    },
  );

  await t.step("prints help and requires a town", async () => {
    const out: string[] = [];
    await runService(printDeps(out), { help: true });
    assert.deepEqual(out, [SERVICE_HELP]);
    await assert.rejects(
      runService(printDeps([]), { help: false, action: "print" }),
      UsageError,
    );
    await assert.rejects(
      runService(printDeps([]), { help: false, town: "/srv/t" }),
      UsageError,
    );
  });
});
