import { ToolMissingError } from '../../core/errors.js';

/** The real `frida` module's type, checked against its own declarations (optional dependency). */
export type FridaModule = typeof import('frida');

let loading: Promise<FridaModule> | undefined;

/**
 * Loads the optional `frida` binding once, on first use. Its npm install step downloads a
 * prebuilt binary; where that could not happen the package is present without its binding,
 * and loading fails. We turn that into one clear line instead of a native-module stack.
 */
export function loadFrida(importer: () => Promise<unknown> = () => import('frida')): Promise<FridaModule> {
  loading ??= importer().then(
    (mod) => ((mod as { default?: FridaModule }).default ?? mod) as FridaModule,
    (cause: unknown) => {
      loading = undefined;
      throw new ToolMissingError(
        'the frida Node binding',
        'install it where its prebuilt binary can be downloaded (npm install frida), or set instrumentation.adapter: none',
        cause,
      );
    },
  );
  return loading;
}
