import { join } from 'node:path';
import { z } from 'zod';
import { DataTypeId } from './data-types.js';
import { builtIn } from '../core/paths.js';
import { loadValidatedFile } from '../core/validated-file.js';

/**
 * The hook catalogue (product/contracts/api-hooks.yaml): which Android APIs reveal which data
 * type. Validated once here; the agent receives it as typed configuration (see agent-config.ts).
 */

/** Frida's Java type notation: int, java.lang.String, Outer$Inner, [B, [Ljava.lang.String; */
const JavaTypeName = z
  .string()
  .regex(
    /^(\[+([ZBCSIJFD]|L[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*;)|[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*)$/,
    'expected a Java type name in Frida notation (int, java.lang.String, [B, [Ljava.lang.String;)',
  );
const ClassName = z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/, 'expected a fully qualified Java class name');

const MethodEntry = z
  .object({
    name: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'expected a Java method name'),
    overloads: z.array(z.array(JavaTypeName)).min(1),
    /** Return type, for the virtual device (which has no class files). Default: an object. */
    returns: JavaTypeName.optional(),
    action: z.enum(['return-void', 'return-arg0', 'return-empty-list', 'return-true']).optional(),
    note: z.string().optional(),
  })
  .strict();
export type MethodEntry = z.infer<typeof MethodEntry>;

const Base = { class: ClassName, methods: z.array(MethodEntry).min(1), note: z.string().optional() };

const PrivacyEntry = z
  .object({
    ...Base,
    dataType: DataTypeId.optional(),
    when: z.object({ arg: z.number().int().nonnegative(), in: z.array(z.string()).min(1) }).strict().optional(),
    classify: z
      .object({
        arg: z.number().int().nonnegative(),
        prefixes: z.array(z.object({ prefix: z.string().min(1), dataType: DataTypeId }).strict()).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((e) => (e.dataType === undefined) !== (e.classify === undefined), {
    message: 'give either dataType or classify, not both or neither',
  });

const PermissionEntry = z.object({ ...Base, permissionsArg: z.number().int().nonnegative() }).strict();
const LifecycleEntry = z.object({ ...Base, state: z.enum(['created', 'foreground', 'background']) }).strict();
const TlsEntry = z
  .object({ ...Base, action: z.enum(['return-void', 'return-arg0', 'return-empty-list', 'return-true']).optional() })
  .strict()
  .refine((e) => e.action !== undefined || e.methods.every((m) => m.action !== undefined), {
    message: 'every TLS bypass needs an action (on the entry or on each method)',
  });
const NativeEntry = z
  .object({
    dataType: DataTypeId,
    functions: z.array(z.enum(['open', 'openat'])).min(1),
    paths: z
      .array(
        z.string().refine((s) => {
          try {
            new RegExp(s);
            return true;
          } catch {
            return false;
          }
        }, 'expected a valid regular expression'),
      )
      .min(1),
  })
  .strict();

export const HookCatalogueSchema = z
  .object({
    privacy: z.array(PrivacyEntry).min(1),
    permissions: z.array(PermissionEntry).default([]),
    lifecycle: z.array(LifecycleEntry).default([]),
    tls: z.array(TlsEntry).default([]),
    native: z.array(NativeEntry).default([]),
  })
  .strict();
export type HookCatalogue = z.infer<typeof HookCatalogueSchema>;

export const DEFAULT_HOOK_CATALOGUE = join(builtIn.contracts, 'api-hooks.yaml');

export function loadHookCatalogue(file = DEFAULT_HOOK_CATALOGUE): HookCatalogue {
  return loadValidatedFile(file, HookCatalogueSchema, 'hook catalogue');
}

/** One class + method of the catalogue with every detail the agent and the virtual device need. */
export interface CatalogueMethod {
  section: 'privacy' | 'permission' | 'lifecycle' | 'tls';
  className: string;
  method: string;
  overloads: string[][];
  returns: string | undefined;
  /** Fixed data type, or undefined when it is chosen by `classify`. */
  dataType: string | undefined;
}

export function catalogueMethods(catalogue: HookCatalogue): CatalogueMethod[] {
  const out: CatalogueMethod[] = [];
  const add = (section: CatalogueMethod['section'], cls: string, methods: MethodEntry[], dataType: string | undefined) => {
    for (const m of methods) {
      out.push({ section, className: cls, method: m.name, overloads: m.overloads, returns: m.returns, dataType });
    }
  };
  for (const e of catalogue.privacy) add('privacy', e.class, e.methods, e.dataType);
  for (const e of catalogue.permissions) add('permission', e.class, e.methods, 'permission-request');
  for (const e of catalogue.lifecycle) add('lifecycle', e.class, e.methods, 'lifecycle');
  for (const e of catalogue.tls) add('tls', e.class, e.methods, 'tls-bypass');
  return out;
}
