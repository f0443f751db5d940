import { describe, expect, it } from 'vitest';
import { permissionCall } from './common.js';

describe('permissionCall', () => {
  it('tells requests from checks and rationale questions by the hooked method', () => {
    expect(permissionCall('android.app.Activity.requestPermissions')).toBe('request');
    expect(permissionCall('androidx.core.app.ActivityCompat.requestPermissions')).toBe('request');
    expect(permissionCall('androidx.fragment.app.Fragment.requestPermissions')).toBe('request');
    expect(permissionCall('androidx.core.content.ContextCompat.checkSelfPermission')).toBe('check');
    expect(permissionCall('android.content.ContextWrapper.checkPermission')).toBe('check');
    expect(permissionCall('android.content.Context.checkCallingOrSelfPermission')).toBe('check');
    expect(permissionCall('androidx.core.content.PermissionChecker.checkSelfPermission')).toBe('check');
    expect(permissionCall('androidx.core.content.PermissionChecker.checkCallingPermission')).toBe('check');
    expect(permissionCall('android.app.Activity.shouldShowRequestPermissionRationale')).toBe('rationale');
  });
});
