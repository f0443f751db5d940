"""Peer of the APK static-analysis benchmark: Debian's androguard (3.4.0~a1) on the same files.

For each APK: manifest facts (package, requested permissions) with androguard.core.bytecodes.apk.APK
and the DEX class listing with androguard.core.bytecodes.dvm.DalvikVMFormat, the documented API of
this version. Times itself from inside the interpreter (import time and per-file time), so the
benchmark can report throughput both with and without interpreter start-up. Prints one JSON
document on the last line of stdout.

    /usr/bin/python3 androguard-static.py FILE.apk...
"""
import json
import logging
import sys
import time

t0 = time.perf_counter()
from androguard.core.bytecodes.apk import APK  # noqa: E402
from androguard.core.bytecodes.dvm import DalvikVMFormat  # noqa: E402

import_ms = (time.perf_counter() - t0) * 1000
# androguard warns about every API level newer than its tables; the benchmark wants facts only.
logging.disable(logging.WARNING)


def class_name(raw):
    # DalvikVMFormat names are androguard MUTF8String (bytes with a decoding __str__).
    descriptor = str(raw)
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor


results = []
for path in sys.argv[1:]:
    start = time.perf_counter()
    apk = APK(path)
    package = apk.get_package()
    permissions = set(apk.get_permissions())
    # consentry also reads the API-23+ variants of <uses-permission>; so does the peer, to compare like with like.
    for tag in ("uses-permission-sdk-23", "uses-permission-sdk-m"):
        permissions.update(v for v in apk.get_all_attribute_value(tag, "name") if v)
    descriptors = []
    for dex in apk.get_all_dex():
        descriptors.extend(c.get_name() for c in DalvikVMFormat(dex).get_classes())
    ms = (time.perf_counter() - start) * 1000
    results.append({
        "file": path,
        "ms": ms,
        "package": package,
        "permissions": sorted(permissions),
        "classes": sorted({class_name(d) for d in descriptors}),
        "classDefs": len(descriptors),
    })

print(json.dumps({"tool": "androguard", "importMs": import_ms, "files": results}))
