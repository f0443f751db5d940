/**
 * The slice of the Frida Java bridge (frida-java-bridge) the agents use, typed here because
 * @types/frida-gum 19 no longer declares `Java` (Frida 17 moved the bridge out of the runtime) and
 * the frida-java-bridge package is not installed in this project. The agent reaches the bridge
 * through the "#java" import, which the build resolves to the runtime's global `Java` or, where
 * frida-java-bridge is installed, to the package itself (tooling/scripts/build-agents.mjs).
 */

export interface JavaType {
  className: string;
}

/** A Java object or class wrapper: methods and fields are looked up by name. */
export interface JavaWrapper {
  $className: string;
  // Wrappers expose Java members by name; their shape is only known at runtime.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [member: string]: any;
}

export type JavaImplementation = (this: JavaWrapper, ...args: unknown[]) => unknown;

/** One overload. Calling it from inside its own replacement reaches the original method. */
export interface JavaMethod {
  (...args: unknown[]): unknown;
  methodName: string;
  argumentTypes: JavaType[];
  returnType: JavaType;
  implementation: JavaImplementation | null;
}

export interface JavaMethodDispatcher {
  overloads: JavaMethod[];
  overload(...argumentTypes: string[]): JavaMethod;
}

export interface JavaBridge {
  available: boolean;
  androidVersion: string;
  perform(fn: () => void): void;
  performNow(fn: () => void): void;
  use(className: string): JavaWrapper;
}
