import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../../product/core/logger.js';
import type { AppHost, PhoneOs } from '../contracts.js';
import { boundsOf, nodeAtPath, parseDump, toAppiumSource, type ElementNode } from './element-tree.js';
import { InvalidSelectorError, locate } from './locators.js';
import { performActions, type W3cActionSource } from './actions.js';
import { attributeOf, DEFAULT_SETTINGS, deviceInfo } from './device-info.js';

/**
 * An HTTP server compatible with appium-uiautomator2-server, the part of it that the
 * UiAutomator2 driver proxies to (routes and response shapes follow its AppiumServlet:
 * `{sessionId, value}`, W3C errors `{value: {error, message, stacktrace}}`). It reads the UI
 * through the AppHost seam only (the dump XML, screenshots, input), like the real server
 * reads it through UiAutomator.
 */
export const UIA2_DEVICE_PORT = 6790;
export const W3C_ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

class WebDriverError extends Error {
  constructor(
    readonly error: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const noSuchElement = (m: string): WebDriverError => new WebDriverError('no such element', 404, m);

interface Session {
  id: string;
  capabilities: Record<string, unknown>;
  settings: Record<string, unknown>;
}

interface ElementRef {
  path: number[];
  className: string;
  resourceId: string;
}


type Handler = (req: { params: string[]; body: Record<string, unknown>; session: Session | undefined }) => Promise<unknown> | unknown;

export interface UiAutomator2ServerOptions {
  logger?: Logger;
  /**
   * Called once a session has been deleted: the real server's process then quits on its own,
   * and Appium's driver waits (up to 5 s) for it to be gone before it ends the session.
   */
  onSessionDeleted?: () => void;
}

export class UiAutomator2Server {
  readonly http: Server;
  private readonly sessions = new Map<string, Session>();
  private readonly elements = new Map<string, ElementRef>();
  private readonly routes: [string, RegExp, Handler][] = [];
  private readonly logger: Logger;

  constructor(
    private readonly os: PhoneOs,
    private readonly app: AppHost,
    private readonly options: UiAutomator2ServerOptions = {},
  ) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'uia2', serial: os.identity.serial });
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 60_000;
    this.defineRoutes();
  }

  /** Serves one connection (a device-side socket from PhoneOs.listen). */
  accept(socket: Duplex): void {
    this.http.emit('connection', socket);
  }

  close(): void {
    this.http.close();
    this.http.closeAllConnections();
  }

  private route(method: string, pattern: string, handler: Handler): void {
    // `:x` matches one path segment; the leading /session/:sessionId is matched separately.
    const re = new RegExp(`^${pattern.replace(/:[a-z]+/g, '([^/]+)')}/?$`);
    this.routes.push([method, re, handler]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let sessionId: string | null = null;
    try {
      const url = new URL(req.url ?? '/', 'http://device');
      let path = decodeURIComponent(url.pathname).replace(/^\/wd\/hub(?=\/)/, '');
      let session: Session | undefined;
      const m = /^\/session\/([^/]+)(\/.*)?$/.exec(path);
      if (m && !(req.method === 'POST' && path === '/session')) {
        session = this.sessions.get(m[1]!);
        if (!session) throw new WebDriverError('invalid session id', 404, `A session is either terminated or not started`);
        sessionId = session.id;
        path = m[2] ?? '/';
      }
      const body = await readJson(req);
      if (!session && !['/status', '/sessions', '/session'].includes(path)) {
        throw new WebDriverError('invalid session id', 404, `A session id is required for ${req.method} ${path}`);
      }
      for (const [method, re, handler] of this.routes) {
        if (method !== req.method) continue;
        const hit = re.exec(path);
        if (!hit) continue;
        const value = await handler({ params: hit.slice(1), body, session });
        if (value instanceof Session_) sessionId = value.id;
        send(res, 200, { sessionId, value: value instanceof Session_ ? value.payload : (value ?? null) });
        return;
      }
      throw new WebDriverError('unknown command', 404, `The requested resource could not be found, or a request was received using an HTTP method that is not supported by the mapped resource: ${req.method} ${path}`);
    } catch (err) {
      const e =
        err instanceof WebDriverError
          ? err
          : err instanceof InvalidSelectorError
            ? new WebDriverError('invalid selector', 400, err.message)
            : new WebDriverError('unknown error', 500, (err as Error).message ?? String(err));
      this.logger.debug({ error: e.error, message: e.message }, 'uia2 error response');
      send(res, e.status, { sessionId, value: { error: e.error, message: e.message, stacktrace: `${e.error}: ${e.message}` } });
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private tree(): ElementNode {
    return parseDump(this.app.uiHierarchyXml(), this.app.screenSize());
  }

  private appPackage(session: Session | undefined, root: ElementNode): string | undefined {
    const fromCaps = session?.capabilities.appPackage ?? session?.capabilities['appium:appPackage'];
    if (typeof fromCaps === 'string') return fromCaps;
    return this.app.foreground()?.packageName ?? root.children[0]?.attrs.package;
  }

  private remember(node: ElementNode): Record<string, string> {
    const id = randomUUID();
    this.elements.set(id, { path: node.path, className: node.attrs.class ?? '', resourceId: node.attrs['resource-id'] ?? '' });
    // Bounded: a long session finding elements in a loop must not grow without limit.
    if (this.elements.size > 5000) this.elements.delete(this.elements.keys().next().value!);
    return { ELEMENT: id, [W3C_ELEMENT_KEY]: id };
  }

  private element(id: string, root = this.tree()): ElementNode {
    const ref = this.elements.get(id);
    if (!ref) throw noSuchElement(`The element identified by '${id}' is not present in the cache`);
    const node = nodeAtPath(root, ref.path);
    if (!node || node.attrs.class !== ref.className || node.attrs['resource-id'] !== ref.resourceId) {
      throw new WebDriverError('stale element reference', 404, `The element '${id}' does not exist in DOM anymore`);
    }
    return node;
  }

  private find(body: Record<string, unknown>, session: Session | undefined, contextId?: string): ElementNode[] {
    const strategy = String(body.strategy ?? body.using ?? '');
    const selector = String(body.selector ?? body.value ?? '');
    if (!strategy || !selector) throw new WebDriverError('invalid argument', 400, 'strategy and selector are required');
    const root = this.tree();
    const ctx = body.context ? String(body.context) : contextId;
    const scope = ctx ? this.element(ctx, root) : root;
    return locate(strategy, selector, scope, this.appPackage(session, root));
  }

  private async tapNode(node: ElementNode): Promise<void> {
    const b = boundsOf(node);
    await this.app.input({ kind: 'tap', x: Math.round(b.x + b.width / 2), y: Math.round(b.y + b.height / 2) });
  }

  private defineRoutes(): void {
    const r = this.route.bind(this);
    r('GET', '/status', () => ({ ready: true, message: 'UiAutomator2 Server is ready to accept commands' }));
    r('GET', '/sessions', () => [...this.sessions.values()].map((s) => ({ id: s.id, capabilities: s.capabilities })));
    r('POST', '/session', ({ body }) => {
      const caps = (body.capabilities ?? {}) as { firstMatch?: Record<string, unknown>[]; alwaysMatch?: Record<string, unknown> };
      const capabilities = { ...(caps.alwaysMatch ?? {}), ...(caps.firstMatch?.[0] ?? {}), ...((body.desiredCapabilities as object) ?? {}) };
      // The real server serves one session: a new one replaces the old.
      this.sessions.clear();
      this.elements.clear();
      const session: Session = { id: randomUUID(), capabilities, settings: { ...DEFAULT_SETTINGS } };
      this.sessions.set(session.id, session);
      this.logger.info({ session: session.id }, 'uia2 session created');
      return new Session_(session.id, { sessionId: session.id, capabilities });
    });
    r('GET', '/', ({ session }) => ({ ...session!.capabilities, sessionId: session!.id }));
    r('DELETE', '/', ({ session }) => {
      this.sessions.delete(session!.id);
      this.elements.clear();
      // After the reply has gone out, as the real server does.
      if (this.options.onSessionDeleted) setTimeout(this.options.onSessionDeleted, 50).unref();
      return null;
    });
    r('GET', '/appium/settings', ({ session }) => session!.settings);
    r('POST', '/appium/settings', ({ session, body }) => {
      Object.assign(session!.settings, (body.settings as object) ?? {});
      return session!.settings;
    });
    r('POST', '/element', ({ body, session }) => {
      const [first] = this.find(body, session);
      if (!first) throw noSuchElement('An element could not be located on the page using the given search parameters.');
      return this.remember(first);
    });
    r('POST', '/elements', ({ body, session }) => this.find(body, session).map((n) => this.remember(n)));
    r('POST', '/element/:id/element', ({ body, session, params }) => {
      const [first] = this.find(body, session, params[0]);
      if (!first) throw noSuchElement('An element could not be located on the page using the given search parameters.');
      return this.remember(first);
    });
    r('POST', '/element/:id/elements', ({ body, session, params }) => this.find(body, session, params[0]).map((n) => this.remember(n)));
    r('GET', '/element/active', () => {
      const focused = [...walkTree(this.tree())].find((n) => n.attrs.focused === 'true');
      if (!focused) throw noSuchElement('There is no focused element');
      return this.remember(focused);
    });
    r('POST', '/element/:id/click', async ({ params }) => {
      await this.tapNode(this.element(params[0]!));
      return null;
    });
    r('POST', '/element/:id/value', async ({ params, body }) => {
      const node = this.element(params[0]!);
      const text = typeof body.text === 'string' ? body.text : Array.isArray(body.value) ? body.value.join('') : String(body.value ?? '');
      if (node.attrs.focused !== 'true') await this.tapNode(node);
      await this.app.input({ kind: 'text', text });
      return null;
    });
    r('POST', '/element/:id/clear', async ({ params }) => {
      const node = this.element(params[0]!);
      await this.tapNode(node);
      for (let i = 0; i < Math.min([...(node.attrs.text ?? '')].length, 5000); i += 1) await this.app.input({ kind: 'key', keyCode: 67 });
      return null;
    });
    r('GET', '/element/:id/text', ({ params }) => this.element(params[0]!).attrs.text ?? '');
    r('GET', '/element/:id/name', ({ params }) => this.element(params[0]!).attrs['content-desc'] || this.element(params[0]!).attrs.class);
    r('GET', '/element/:id/attribute/:name', ({ params }) => attributeOf(this.element(params[0]!), params[1]!));
    r('GET', '/element/:id/rect', ({ params }) => boundsOf(this.element(params[0]!)));
    r('GET', '/element/:id/size', ({ params }) => {
      const b = boundsOf(this.element(params[0]!));
      return { width: b.width, height: b.height };
    });
    r('GET', '/element/:id/location', ({ params }) => {
      const b = boundsOf(this.element(params[0]!));
      return { x: b.x, y: b.y };
    });
    r('GET', '/element/:id/screenshot', () => this.app.screenshotPng().toString('base64'));
    r('GET', '/source', () => toAppiumSource(this.tree()));
    r('GET', '/screenshot', () => this.app.screenshotPng().toString('base64'));
    r('GET', '/window/:handle/size', () => {
      const s = this.app.screenSize();
      return { width: s.width, height: s.height };
    });
    r('GET', '/window/rect', () => {
      const s = this.app.screenSize();
      return { x: 0, y: 0, width: s.width, height: s.height };
    });
    r('GET', '/orientation', () => 'PORTRAIT');
    r('GET', '/rotation', () => ({ x: 0, y: 0, z: 0 }));
    r('GET', '/appium/device/info', () => deviceInfo(this.os, this.app));
    r('GET', '/appium/device/system_bars', () => ({ statusBar: 63, navigationBar: 126 }));
    r('GET', '/appium/device/pixel_ratio', () => this.app.screenSize().density / 160);
    r('GET', '/appium/device/display_density', () => this.app.screenSize().density);
    r('GET', '/appium/device/battery_info', () => ({ level: 1, state: 5 }));
    r('GET', '/alert/text', () => {
      throw new WebDriverError('no such alert', 404, 'An attempt was made to operate on a modal dialog when one was not open');
    });
    r('POST', '/back', async () => {
      await this.app.input({ kind: 'key', keyCode: 4 });
      return null;
    });
    r('POST', '/appium/device/press_keycode', async ({ body }) => {
      await this.app.input({ kind: 'key', keyCode: Number(body.keycode) });
      return null;
    });
    r('POST', '/appium/device/long_press_keycode', async ({ body }) => {
      await this.app.input({ kind: 'key', keyCode: Number(body.keycode) });
      return null;
    });
    r('POST', '/appium/device/open_notifications', () => null);
    r('POST', '/appium/tap', async ({ body }) => {
      await this.app.input({ kind: 'tap', x: Number(body.x), y: Number(body.y) });
      return null;
    });
    r('POST', '/appium/gestures/click', async ({ body }) => {
      const origin = body.origin as Record<string, string> | undefined;
      const offset = body.offset as { x: number; y: number } | undefined;
      if (origin) {
        const b = boundsOf(this.element(origin[W3C_ELEMENT_KEY] ?? origin.ELEMENT ?? ''));
        await this.app.input({ kind: 'tap', x: Math.round(b.x + (offset?.x ?? b.width / 2)), y: Math.round(b.y + (offset?.y ?? b.height / 2)) });
      } else if (offset) await this.app.input({ kind: 'tap', x: offset.x, y: offset.y });
      return null;
    });
    r('POST', '/keys', async ({ body }) => {
      const text = Array.isArray(body.value) ? body.value.join('') : String(body.text ?? body.value ?? '');
      await this.app.input({ kind: 'text', text });
      return null;
    });
    r('POST', '/actions', async ({ body }) => {
      await performActions((body.actions ?? []) as W3cActionSource[], this.app, (id) => boundsOf(this.element(id)));
      return null;
    });
    r('POST', '/touch/perform', async ({ body }) => {
      for (const a of (body.actions ?? []) as { action: string; options?: { x?: number; y?: number; element?: string } }[]) {
        if (a.action !== 'tap' && a.action !== 'press') continue;
        if (a.options?.element) await this.tapNode(this.element(a.options.element));
        else await this.app.input({ kind: 'tap', x: Number(a.options?.x ?? 0), y: Number(a.options?.y ?? 0) });
      }
      return null;
    });
  }
}

/** Marks a session-creating result: the response's sessionId is the new one. */
class Session_ {
  constructor(
    readonly id: string,
    readonly payload: unknown,
  ) {}
}

function* walkTree(node: ElementNode): Generator<ElementNode> {
  yield node;
  for (const c of node.children) yield* walkTree(c);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024 * 1024) throw new WebDriverError('invalid argument', 413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new WebDriverError('invalid argument', 400, 'the request body is not valid JSON');
  }
}

/**
 * Starts the server on device port 6790 (what `am instrument ... io.appium.uiautomator2.server.test/...`
 * does on a phone). Returns the stop function.
 */
export function startUiAutomator2Server(os: PhoneOs, app: AppHost, options: UiAutomator2ServerOptions = {}): () => void {
  const server = new UiAutomator2Server(os, app, options);
  const unlisten = os.listen(UIA2_DEVICE_PORT, (socket) => server.accept(socket));
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    unlisten();
    server.close();
  };
}
