import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { loadValidatedFile } from '../../core/validated-file.js';
import type { DeviceFacts } from './facts.js';
import { DeviceProfileSchema, type DeviceProfile, type ProfileMatch } from './profile-schema.js';

/** A profile and the file it came from (for error messages and `devices --json`). */
export interface LoadedProfile {
  profile: DeviceProfile;
  file: string;
}

/** Loads every *.yaml / *.yml / *.json profile in a folder, sorted by file name; ids must be unique. */
export function loadProfiles(dir: string): LoadedProfile[] {
  if (!existsSync(dir)) {
    throw new InputError('PROFILES_DIR_MISSING', 'device profile folder not found', { file: dir, field: 'devices.profilesDir' });
  }
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort();
  const seen = new Map<string, string>();
  const loaded: LoadedProfile[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const profile = loadValidatedFile(file, DeviceProfileSchema, 'device profile');
    const previous = seen.get(profile.id);
    if (previous) {
      throw new InputError('PROFILE_DUPLICATE_ID', `profile id "${profile.id}" is also used by ${previous}`, { file, field: 'id' });
    }
    seen.set(profile.id, file);
    loaded.push({ profile, file });
  }
  return loaded;
}

/** What matching needs to know about a device: its serial and, once read, its facts. */
export interface MatchSubject {
  serial: string;
  facts?: Pick<DeviceFacts, 'model' | 'product' | 'manufacturer' | 'apiLevel' | 'root' | 'emulator'>;
}

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * How many criteria of `match` the subject satisfies, or -1 when one fails. Criteria that need
 * facts fail while the facts are unknown, so a device is matched on its serial alone at first.
 */
export function matchScore(match: ProfileMatch, subject: MatchSubject): number {
  let score = 0;
  // The serial pattern is a search (users write "^emulator-"), the others match whole values.
  if (match.serial !== undefined) {
    if (!new RegExp(match.serial).test(subject.serial)) return -1;
    score += 1;
  }
  const facts = subject.facts;
  const textual: [keyof ProfileMatch & ('model' | 'product' | 'manufacturer'), string | undefined][] = [
    ['model', facts?.model],
    ['product', facts?.product],
    ['manufacturer', facts?.manufacturer],
  ];
  for (const [key, value] of textual) {
    const pattern = match[key];
    if (pattern === undefined) continue;
    if (value === undefined || !whole(pattern).test(value)) return -1;
    score += 1;
  }
  if (match.apiLevel) {
    const api = facts?.apiLevel;
    if (api === undefined) return -1;
    if (match.apiLevel.min !== undefined && api < match.apiLevel.min) return -1;
    if (match.apiLevel.max !== undefined && api > match.apiLevel.max) return -1;
    score += 1;
  }
  if (match.rooted !== undefined) {
    if (facts === undefined || (facts.root !== 'none') !== match.rooted) return -1;
    score += 1;
  }
  if (match.emulator !== undefined) {
    if (facts === undefined || facts.emulator !== match.emulator) return -1;
    score += 1;
  }
  return score;
}

/**
 * The most specific matching profile: most criteria satisfied; ties go to the earlier file.
 * A profile with an empty match is a fallback (score 0).
 */
export function matchProfile(profiles: readonly LoadedProfile[], subject: MatchSubject): LoadedProfile | undefined {
  let best: LoadedProfile | undefined;
  let bestScore = -1;
  for (const candidate of profiles) {
    const score = matchScore(candidate.profile.match, subject);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** One sentence: what this profile matches, for `devices` and error messages. */
export function explainMatch(match: ProfileMatch): string {
  const parts: string[] = [];
  if (match.serial) parts.push(`serial ~ /${match.serial}/`);
  if (match.model) parts.push(`model = /${match.model}/`);
  if (match.product) parts.push(`product = /${match.product}/`);
  if (match.manufacturer) parts.push(`manufacturer = /${match.manufacturer}/`);
  if (match.apiLevel) parts.push(`API ${match.apiLevel.min ?? '…'}-${match.apiLevel.max ?? '…'}`);
  if (match.rooted !== undefined) parts.push(match.rooted ? 'rooted' : 'not rooted');
  if (match.emulator !== undefined) parts.push(match.emulator ? 'emulator' : 'not an emulator');
  return parts.length ? parts.join(', ') : 'any device (fallback)';
}
