import { isRuntimePermission } from '../../os/permissions.js';
import type { CommandContext, ShellCommand } from '../command-context.js';
import { dumpPackage } from './dumpsys-package.js';
import { pmInstall, pmInstallAbandon, pmInstallCommit, pmInstallCreate, pmInstallWrite } from './pm-install.js';
import { dropUserArgs, reportAndroidError, shortComponent } from './util.js';

const HELP = `Package manager (package) commands:
  help
  path [--user USER_ID] PACKAGE
  dump PACKAGE
  list packages [-f] [-d] [-e] [-s] [-3] [-i] [-l] [-u] [-U] [--user USER_ID] [FILTER]
  list instrumentation [-f] [TARGET-PACKAGE]
  list permissions [-g] [-f] [-d] [-u] [GROUP]
  list users
  resolve-activity [--brief] [--user USER_ID] PACKAGE
  install [-rtfdgw] [-i PACKAGE] [--user USER_ID] [-S BYTES] [PATH|-]
  install-create [-rtfdg] [-i PACKAGE] [--user USER_ID] [-S BYTES]
  install-write [-S BYTES] SESSION_ID SPLIT_NAME [PATH|-]
  install-commit SESSION_ID
  install-abandon SESSION_ID
  uninstall [-k] [--user USER_ID] PACKAGE
  clear [--user USER_ID] PACKAGE
  grant [--user USER_ID] PACKAGE PERMISSION
  revoke [--user USER_ID] PACKAGE PERMISSION
`;

async function list(ctx: CommandContext, args: string[]): Promise<number> {
  const [what, ...rest] = args;
  const flags = new Set(rest.filter((a) => a.startsWith('-')).flatMap((a) => a.slice(1).split('')));
  const filter = rest.find((a) => !a.startsWith('-'));
  switch (what) {
    case 'packages': {
      const lines = ctx.os
        .listPackages()
        .filter((p) => (flags.has('3') ? !p.system : flags.has('s') ? p.system : true))
        .filter((p) => !filter || p.packageName.includes(filter))
        .map((p) => {
          let line = flags.has('f') ? `package:${p.apkPaths[0] ?? ''}=${p.packageName}` : `package:${p.packageName}`;
          if (flags.has('U')) line += ` uid:${p.uid}`;
          if (flags.has('i')) line += `  installer=${p.installer ?? 'null'}`;
          return `${line}\n`;
        });
      await ctx.out(lines.join(''));
      return 0;
    }
    case 'instrumentation': {
      const lines = ctx.os
        .listInstrumentations()
        .filter((i) => !filter || i.targetPackage === filter)
        .map((i) => `instrumentation:${i.component} (target=${i.targetPackage})\n`);
      await ctx.out(lines.join(''));
      return 0;
    }
    case 'users':
      await ctx.out('Users:\n\tUserInfo{0:Owner:c13} running\n');
      return 0;
    case 'features':
      await ctx.out('feature:android.hardware.camera\nfeature:android.hardware.location.gps\nfeature:android.hardware.telephony\nfeature:android.hardware.wifi\n');
      return 0;
    case 'permissions': {
      const perms = [...new Set(ctx.os.listPackages().flatMap((p) => p.requestedPermissions))].filter((p) => !flags.has('d') || isRuntimePermission(p));
      await ctx.out(`All Permissions:\n\n${perms.map((p) => `permission:${p}\n`).join('')}`);
      return 0;
    }
    default:
      await ctx.err(`Error: unknown list type '${what ?? ''}'\n`);
      return 255;
  }
}

/** `pm` / `cmd package`: PackageManagerShellCommand's verbs and output. */
export const pm: ShellCommand = async (ctx) => {
  const args = dropUserArgs(ctx.args);
  const [verb, ...rest] = args;
  const positional = rest.filter((a) => !a.startsWith('-'));
  try {
    switch (verb) {
      case undefined:
      case 'help':
        await ctx.out(HELP);
        return 0;
      case 'list':
        return await list(ctx, rest);
      case 'path': {
        const pkg = ctx.os.getPackage(positional[0] ?? '');
        if (!pkg) return 1;
        await ctx.out(pkg.apkPaths.map((p) => `package:${p}\n`).join(''));
        return 0;
      }
      case 'dump': {
        const pkg = ctx.os.getPackage(positional[0] ?? '');
        await ctx.out(pkg ? dumpPackage(ctx.os, pkg) : `Unable to find package: ${positional[0] ?? ''}\n`);
        return 0;
      }
      case 'install':
        return await pmInstall(ctx, rest);
      case 'install-create':
        return await pmInstallCreate(ctx, rest);
      case 'install-write':
        return await pmInstallWrite(ctx, rest);
      case 'install-commit':
        return await pmInstallCommit(ctx, rest);
      case 'install-abandon':
        return await pmInstallAbandon(ctx, rest);
      case 'uninstall': {
        await ctx.os.uninstall(positional[0] ?? '');
        await ctx.out('Success\n');
        return 0;
      }
      case 'clear': {
        if (!ctx.os.getPackage(positional[0] ?? '')) {
          await ctx.err('Failed\n');
          return 1;
        }
        ctx.os.clearData(positional[0]!);
        await ctx.out('Success\n');
        return 0;
      }
      case 'grant':
      case 'revoke': {
        const [name, permission] = positional;
        if (!name || !permission) {
          await ctx.err(`Error: no ${name ? 'permission' : 'package'} specified\n`);
          return 255;
        }
        ctx.os.setPermission(name, permission, verb === 'grant');
        return 0;
      }
      case 'resolve-activity': {
        const pkg = ctx.os.getPackage(positional[0] ?? '');
        if (!pkg?.launchActivity) {
          await ctx.out('No activity found\n');
          return 0;
        }
        if (rest.includes('--brief')) {
          await ctx.out(`priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n${shortComponent(pkg.packageName, pkg.launchActivity)}\n`);
        } else await ctx.out(`Activity Resolver Table:\n  ${shortComponent(pkg.packageName, pkg.launchActivity)}\n`);
        return 0;
      }
      case 'enable':
      case 'disable':
      case 'disable-user':
      case 'set-install-location':
      case 'trim-caches':
        return 0;
      default:
        await ctx.err(`Unknown command: ${verb}\n`);
        return 255;
    }
  } catch (err) {
    return reportAndroidError(ctx, verb ?? '', err);
  }
};
