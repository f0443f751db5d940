import { num, type Rule, type RuleMeta } from '../rule.js';
import { joinWords } from '../statements.js';

export const meta: RuleMeta = {
  id: 'DOWNLOAD-DECEPTIVE',
  title: 'The app downloads or installs another app without a clear user action',
  severity: 'medium',
  sources: ['N164'],
  signal: 'APK download in traffic or install session opened with no user step before it',
  thresholds: { graceSeconds: { default: 5, description: 'seconds after a user action during which a download is attributed to it' } },
  explain: (t) => `Fails when an APK is downloaded or another package installed with no user action in the ${t.graceSeconds} s before.`,
};

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

const APK_MIME = /application\/vnd\.android\.package-archive/i;

export const rule: Rule = {
  meta,
  check(ctx) {
    const graceMs = num(ctx, 'graceSeconds') * 1000;
    const app = ctx.bundle.run.app.package;
    // Only a tap (or typing, scrolling) can ask for a download; launching the app does not.
    const unprompted = (t: number) => !ctx.timeline.userActionNear(t, graceMs, { interaction: true });
    const flows = ctx.bundle.flows.filter((f) => {
      const path = urlPath(f.request?.url ?? '');
      const contentType = f.response?.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      return (/\.apk$/i.test(path) || APK_MIME.test(contentType)) && unprompted(f.t);
    });
    const markers = ctx.timeline.markers.filter(
      (m) => (m.kind === 'download.started' || (m.kind === 'app.install' && typeof m.data?.package === 'string' && m.data.package !== app)) && unprompted(m.t),
    );
    if (flows.length === 0 && markers.length === 0) return [];
    const urls = [...new Set(flows.map((f) => f.request?.url.replace(/\?.*$/, '') ?? f.server.host))];
    const installs = [...new Set(markers.filter((m) => m.kind === 'app.install').map((m) => String(m.data?.package)))];
    const parts = [
      ...urls.slice(0, 3).map((u) => `downloaded ${u}`),
      ...installs.map((p) => `started an install of ${p}`),
      ...(urls.length === 0 && installs.length === 0 ? ['started an app download'] : []),
    ];
    const t = Math.min(...flows.map((f) => f.t), ...markers.map((m) => m.t));
    return [
      {
        statement: `The app ${joinWords(parts)} with no user action before it.`,
        t,
        evidence: { flows: flows.map((f) => f.id), markers: markers.map((m) => m.id) },
      },
    ];
  },
};
