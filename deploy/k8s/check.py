#!/usr/bin/env python3
"""Offline consistency checks of the rendered manifests (no cluster needed).

    kubectl kustomize deploy/k8s | python3 deploy/k8s/check.py

It parses every document and checks what a schema check cannot: selectors match pod labels,
every mounted volume and referenced ConfigMap exists, probes hit the documented paths on a
declared port, and the memory limit covers heap + RocksDB bound + overhead. It does not check
field names against the Kubernetes API schema (that needs a server: kubectl --dry-run).
"""
import re
import sys

import yaml

OVERHEAD_MIB = 512  # at least: metaspace, code cache, thread stacks, buffers, allocator


def mib(quantity):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", str(quantity))
    if not m:
        raise ValueError(f"unsupported memory quantity {quantity!r}")
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1)


def subset(small, big):
    return all(big.get(k) == v for k, v in (small or {}).items())


def main():
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
    errors = []
    by_kind = {}
    for d in docs:
        for field in ("apiVersion", "kind", "metadata"):
            if field not in d:
                errors.append(f"document without {field}: {d}")
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    config_maps = by_kind.get("ConfigMap", {})

    def check_pod(owner, spec, claim_names=()):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for v in volumes.values():
            cm = v.get("configMap", {}).get("name")
            if cm is not None and cm not in config_maps:
                errors.append(f"{owner}: volume {v['name']} uses missing ConfigMap {cm}")
        if spec.get("serviceAccountName") and spec["serviceAccountName"] not in by_kind.get(
            "ServiceAccount", {}
        ):
            errors.append(f"{owner}: missing ServiceAccount {spec['serviceAccountName']}")
        for c in spec.get("initContainers", []) + spec.get("containers", []):
            where = f"{owner}/{c['name']}"
            for m in c.get("volumeMounts", []):
                if m["name"] not in volumes and m["name"] not in claim_names:
                    errors.append(f"{where}: mounts undeclared volume {m['name']}")
            for e in c.get("envFrom", []):
                ref = e.get("configMapRef", {}).get("name")
                if ref is not None and ref not in config_maps:
                    errors.append(f"{where}: envFrom missing ConfigMap {ref}")
            if "memory" not in c.get("resources", {}).get("limits", {}):
                errors.append(f"{where}: no memory limit")
            ports = {p.get("name") for p in c.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                port = c.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str) and port not in ports:
                    errors.append(f"{where}: {probe} uses undeclared port {port}")

    for name, s in by_kind.get("StatefulSet", {}).items():
        spec = s["spec"]
        tpl = spec["template"]
        labels = tpl["metadata"]["labels"]
        if not subset(spec["selector"]["matchLabels"], labels):
            errors.append(f"StatefulSet {name}: selector does not match its pod labels")
        svc = by_kind.get("Service", {}).get(spec["serviceName"])
        if svc is None or svc["spec"].get("clusterIP") != "None":
            errors.append(f"StatefulSet {name}: serviceName is not a headless Service")
        elif not subset(svc["spec"]["selector"], labels):
            errors.append(f"Service {svc['metadata']['name']}: selector misses the pods")
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        check_pod(f"StatefulSet {name}", tpl["spec"], claims)
        main_c = tpl["spec"]["containers"][0]
        if main_c["readinessProbe"]["httpGet"]["path"] != "/health/ready":
            errors.append(f"StatefulSet {name}: readiness probe is not /health/ready")
        if main_c["livenessProbe"]["httpGet"]["path"] != "/health/live":
            errors.append(f"StatefulSet {name}: liveness probe is not /health/live")
        res = main_c["resources"]
        if mib(res["requests"]["memory"]) != mib(res["limits"]["memory"]):
            errors.append(f"StatefulSet {name}: memory request != limit")
        env = {e["name"]: e.get("value", "") for e in main_c.get("env", [])}
        xmx = re.search(r"-Xmx(\d+)m", env.get("JAVA_OPTS", ""))
        cm_vol = next(v for v in tpl["spec"]["volumes"] if "configMap" in v)
        props = config_maps[cm_vol["configMap"]["name"]]["data"]["sluice.properties"]
        cache = re.search(r"^sluice\.rocksdb\.cache\.bytes=(\d+)$", props, re.M)
        if not xmx or not cache:
            errors.append(
                f"StatefulSet {name}: need -Xmx in JAVA_OPTS and sluice.rocksdb.cache.bytes"
            )
        else:
            need = int(xmx.group(1)) + int(cache.group(1)) // (1024 * 1024) + OVERHEAD_MIB
            if need > mib(res["limits"]["memory"]):
                errors.append(
                    f"StatefulSet {name}: heap + RocksDB + {OVERHEAD_MIB}Mi = {need}Mi"
                    f" exceeds the {res['limits']['memory']} limit"
                )
            print(
                f"memory budget: heap {xmx.group(1)}Mi + RocksDB"
                f" {int(cache.group(1)) // (1024 * 1024)}Mi + overhead {OVERHEAD_MIB}Mi"
                f" = {need}Mi against the {res['limits']['memory']} limit"
            )
        for pdb in by_kind.get("PodDisruptionBudget", {}).values():
            if subset(pdb["spec"]["selector"]["matchLabels"], labels):
                if pdb["spec"].get("maxUnavailable") != 1:
                    errors.append("PodDisruptionBudget: maxUnavailable is not 1")
                break
        else:
            errors.append(f"StatefulSet {name}: no PodDisruptionBudget selects its pods")

    for name, j in by_kind.get("Job", {}).items():
        check_pod(f"Job {name}", j["spec"]["template"]["spec"])

    for e in errors:
        print("ERROR:", e)
    kinds = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items()))
    print(f"checked {len(docs)} documents ({kinds}): {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
