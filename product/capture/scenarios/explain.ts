import type { Step } from './definitions.js';
import { describeSelector } from './selector.js';

/**
 * One sentence per step saying what it does; step markers, `scenarios validate` and reports are
 * built from these (the explain() idea from mockttp's rules).
 */
export function explainStep(step: Step): string {
  switch (step.kind) {
    case 'launch':
      return `Cold-start the app with ${step.via === 'am' ? `am start${step.activity ? ` (${step.activity})` : ''}` : 'monkey'}.`;
    case 'relaunch':
      return `Stop the app and start it again with ${step.via === 'am' ? 'am start' : 'monkey'}.`;
    case 'observe':
      return `Touch nothing for ${formatSeconds(step.seconds)} while capture runs${step.watch ? ', noting any dialog that appears' : ''}.`;
    case 'consent': {
      const verb = step.action === 'accept' ? 'Accept' : 'Refuse';
      const how = step.action === 'accept' ? step.accept : step.refuse;
      return `${verb} the privacy policy dialog${how ? ` by pressing ${describeSelector(how)}` : ''} (waiting up to ${formatSeconds(step.timeout)} for it).`;
    }
    case 'permission': {
      const which = step.all ? 'every permission prompt' : step.permission ? `the prompt for ${step.permission}` : 'the next permission prompt';
      return `Answer ${which} with "${step.action}"${step.optional ? ' if one appears' : ''} within ${formatSeconds(step.timeout)}.`;
    }
    case 'dismiss-popups':
      return `Wait up to ${formatSeconds(step.timeout)} for pop-ups over the app (ads, dialogs) and close up to ${step.max} with their own close or skip control, noting any that has none.`;
    case 'find-policy':
      return `From the main screen, look for the privacy policy through its privacy, about, settings and me entries, at most ${step.maxTaps} taps deep.`;
    case 'tap':
      return `Tap the element with ${describeSelector(step.selector)}${step.optional ? ' if present' : ''}.`;
    case 'type':
      return `Type ${JSON.stringify(step.value)} into the element with ${describeSelector(step.selector)}.`;
    case 'scroll':
      return `Swipe to scroll ${step.direction}${step.times > 1 ? ` ${step.times} times` : ''}.`;
    case 'back':
      return 'Press the Back key.';
    case 'home':
      return 'Press the Home key.';
    case 'background':
      return 'Send the app to the background with the Home key.';
    case 'foreground':
      return 'Bring the app back to the foreground.';
    case 'kill':
      return 'Force-stop the app.';
    case 'reset-data':
      return 'Clear the app data (pm clear), as a first run.';
    case 'reinstall':
      return 'Uninstall and install the app again, for a fresh first run.';
    case 'expect': {
      const t = step.target;
      const what =
        'element' in t
          ? `an element with ${describeSelector(t.element)}`
          : 'activity' in t
            ? `activity ${t.activity}`
            : 'package' in t
              ? `package ${t.package} in the foreground`
              : 'consentDialog' in t
                ? 'a privacy policy dialog'
                : 'a permission prompt';
      return `Check that ${what} is ${step.absent ? 'absent' : 'present'} (within ${formatSeconds(step.timeout)}).`;
    }
    case 'repeat':
      return `Repeat ${step.steps.length} step(s) ${step.times} times.`;
    case 'part':
      return `Part "${step.name}"${step.include ? ` (the ${step.include} scenario)` : ''}: ${step.steps.length} step(s).`;
  }
}

export function formatSeconds(s: number): string {
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${Number(s.toFixed(2))} s`;
}
