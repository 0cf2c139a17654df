"""The deployment files: both kustomizations render with `kubectl kustomize`, every rendered
manifest passes `kubernetes-validate --strict`, the Deployment is hardened the way
docs/operations.md says, the inventory the ConfigMap carries passes `gateway validate` with the
env the pods get, and the Argo CD Application (a CRD no schema set knows) is checked field by
field.

KUBECTL overrides the kubectl used (Debian 12's kubernetes-client is kubectl 1.20 with
kustomize v2.0.3; current kubectl has kustomize v5: the files are written for both)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from harness.gateway import REPO, gateway_binary

DEPLOY = REPO / "deploy"
RENDERS = {"base": DEPLOY / "base", "lab": DEPLOY / "overlays" / "lab"}
KINDS = {"ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "PodDisruptionBudget",
         "HorizontalPodAutoscaler", "NetworkPolicy"}
# The oldest Kubernetes the manifests are for (lifecycle.preStop.sleep is on by default from 1.30)
# and the newest the installed kubernetes-validate knows.
KUBERNETES_VERSIONS = ["1.30.0", None]
REFERENCE = re.compile(r"^(openbao://[^#\s]+#[^#\s]+|env://[A-Za-z_][A-Za-z0-9_]*|file://\S+)$")


def kubectl() -> str:
    path = os.environ.get("KUBECTL") or shutil.which("kubectl")
    if not path:
        raise RuntimeError("kubectl not found: run scripts/install-test-deps (Debian's kubernetes-client)")
    return path


def duration_seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", str(text))
    assert match, text
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def dotenv(values: dict[str, str]) -> str:
    return "".join(f"{name}={value}\n" for name, value in sorted(values.items()))


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("FRACTALOPS_")}


@pytest.fixture(scope="module", params=sorted(RENDERS))
def rendered(request):
    """(name, [documents]) of `kubectl kustomize` for the base and each overlay."""
    name = request.param
    result = subprocess.run([kubectl(), "kustomize", str(RENDERS[name])], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize {RENDERS[name]} failed:\n{result.stderr}"
    documents = [document for document in yaml.safe_load_all(result.stdout) if document]
    return name, documents


def only(documents: list[dict], kind: str) -> dict:
    matches = [document for document in documents if document["kind"] == kind]
    assert len(matches) == 1, f"{len(matches)} {kind}s"
    return matches[0]


def by_name(documents: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"no {kind} named {name}"
    return matches[0]


def container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["gateway"]
    return containers[0]


def pod_env(documents: list[dict]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """What the gateway's process environment holds in a pod: (ConfigMap env, Secret env,
    explicit env), each from the rendered objects envFrom and env name."""
    gateway = container(only(documents, "Deployment"))
    from_config, from_secret = {}, {}
    for source in gateway.get("envFrom", []):
        if "configMapRef" in source:
            from_config.update(by_name(documents, "ConfigMap", source["configMapRef"]["name"])["data"])
        if "secretRef" in source:
            secret = by_name(documents, "Secret", source["secretRef"]["name"])
            from_secret.update({k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()})
            from_secret.update(secret.get("stringData", {}))
    explicit = {item["name"]: item["value"] for item in gateway.get("env", [])}
    return from_config, from_secret, explicit


def mounted_inventory(documents: list[dict]) -> str:
    """connectors.yaml as the pod sees it at /etc/fractalops/connectors.yaml."""
    deployment = only(documents, "Deployment")
    mounts = {m["name"]: m for m in container(deployment)["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    for name, mount in mounts.items():
        if mount["mountPath"] == "/etc/fractalops":
            assert mount.get("readOnly") is True
            config_map = by_name(documents, "ConfigMap", volumes[name]["configMap"]["name"])
            return config_map["data"]["connectors.yaml"]
    raise AssertionError("nothing is mounted at /etc/fractalops")


# -- rendering and schemas


def test_kustomize_renders_exactly_the_expected_objects(rendered):
    name, documents = rendered
    kinds = sorted(document["kind"] for document in documents)
    assert set(kinds) == KINDS, kinds
    assert kinds.count("ConfigMap") == 2 and kinds.count("Secret") == 1
    if name == "lab":
        assert {document["metadata"].get("namespace") for document in documents} == {"fractalops-lab"}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS, ids=lambda v: v or "newest")
def test_every_rendered_manifest_passes_kubernetes_validate_strict(rendered, version, tmp_path):
    name, documents = rendered
    files = []
    for index, document in enumerate(documents):
        path = tmp_path / f"{index:02d}-{document['kind'].lower()}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        files.append(str(path))
    tool = Path(sys.executable).parent / "kubernetes-validate"
    command = [str(tool), "--strict", *(["--kubernetes-version", version] if version else []), *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Nothing skipped: every document was checked against a schema (unknown kinds only warn).
    assert output.count(" passed for resource ") == len(documents), output
    assert "Couldn't find schema" not in output and "ERROR" not in output, output


def test_the_argo_cd_application_points_at_the_lab_overlay():
    """kubernetes-validate has no schema for Argo CD's CRD; these assertions stand in for it."""
    files = sorted((DEPLOY / "argocd").glob("*.yaml"))
    assert files
    lab_namespace = yaml.safe_load((RENDERS["lab"] / "kustomization.yaml").read_text())["namespace"]
    for path in files:
        application = yaml.safe_load(path.read_text())
        assert application["apiVersion"] == "argoproj.io/v1alpha1"
        assert application["kind"] == "Application"
        assert application["metadata"]["name"] and application["metadata"]["namespace"] == "argocd"
        spec = application["spec"]
        assert set(spec) <= {"project", "source", "destination", "syncPolicy", "ignoreDifferences", "info",
                             "revisionHistoryLimit"}, spec.keys()
        assert spec["project"]
        source = spec["source"]
        assert source["repoURL"].startswith("https://") and source["targetRevision"]
        assert (REPO / source["path"] / "kustomization.yaml").is_file(), source["path"]
        assert source["path"] == "deploy/overlays/lab"
        destination = spec["destination"]
        assert destination["namespace"] == lab_namespace
        assert destination.get("server") or destination.get("name")
        assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        # The HPA owns the replica count: Argo CD must not fight it.
        assert {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]} in spec["ignoreDifferences"]


# -- the Deployment and its neighbours


def test_the_deployment_is_hardened_and_drains_within_its_grace_period(rendered):
    name, documents = rendered
    deployment = only(documents, "Deployment")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    gateway = container(deployment)

    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0

    ports = {port["name"]: port["containerPort"] for port in gateway["ports"]}
    inventory = yaml.safe_load(mounted_inventory(documents))
    assert ports["http"] == int(inventory["gateway"]["listen"].rsplit(":", 1)[1])
    for probe, path in [("livenessProbe", "/livez"), ("readinessProbe", "/readyz"), ("startupProbe", "/livez")]:
        assert gateway[probe]["httpGet"] == {"path": path, "port": "http"}, probe

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = gateway["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] > 0
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}

    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= gateway["resources"][kind].keys(), kind

    drain = duration_seconds(inventory["gateway"].get("drain_timeout", "30s"))
    pre_stop = gateway.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    assert pod["terminationGracePeriodSeconds"] > drain + pre_stop

    assert gateway["args"][:2] == ["--log-format", "json"]
    if name == "lab":
        assert spec["replicas"] == 2
        assert gateway["resources"]["limits"]["memory"] == "256Mi"


def test_secrets_arrive_as_references_only(rendered):
    _, documents = rendered
    from_config, from_secret, explicit = pod_env(documents)
    assert from_secret, "the Secret delivers no credential references"
    for name, value in from_secret.items():
        assert REFERENCE.match(value), f"{name} in the Secret is not a reference"
    sensitive = ("_API_KEY", "_TOKEN", "_CREDENTIAL", "_MANAGEMENT_KEY", "_PASSWORD", "_SECRET")
    for name in {**from_config, **explicit}:
        assert not name.endswith(sensitive), f"{name} belongs in the Secret (as a reference), not in plain env"
    for key in ("FRACTALOPS_LANGBOARD_API_KEY", "FRACTALOPS_NEXUS_TOKEN", "FRACTALOPS_CLIPROXY_API_KEY"):
        assert from_secret[key].startswith("openbao://"), key
    assert from_config["FRACTALOPS_SECRET_REQUIRE_REF_FOR_SENSITIVE"] == "true"


def test_service_hpa_pdb_and_network_policy_fit_the_deployment(rendered):
    _, documents = rendered
    deployment = only(documents, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selects = lambda selector: all(labels.get(k) == v for k, v in selector.items())  # noqa: E731

    service = only(documents, "Service")
    assert selects(service["spec"]["selector"])
    assert {p["targetPort"] for p in service["spec"]["ports"]} == {p["name"] for p in container(deployment)["ports"]}

    hpa = only(documents, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": deployment["metadata"]["name"]}
    assert 2 <= hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]

    pdb = only(documents, "PodDisruptionBudget")
    assert selects(pdb["spec"]["selector"]["matchLabels"])
    assert pdb["spec"].get("maxUnavailable") == 1 or pdb["spec"].get("minAvailable", 0) < hpa["spec"]["minReplicas"]

    policy = only(documents, "NetworkPolicy")
    assert selects(policy["spec"]["podSelector"]["matchLabels"])
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    ingress_ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert {p["containerPort"] for p in container(deployment)["ports"]} <= ingress_ports
    egress = policy["spec"]["egress"]
    dns = [rule for rule in egress if any(p["port"] == 53 for p in rule["ports"])]
    assert dns and {p["protocol"] for rule in dns for p in rule["ports"]} == {"UDP", "TCP"}
    egress_ports = {p["port"] for rule in egress for p in rule["ports"]}

    # Every upstream the pod's env names is reachable through the policy.
    from_config, _, explicit = pod_env(documents)
    needed = set()
    for name, value in {**from_config, **explicit}.items():
        if "://" in value:  # executor URLs, FRACTALOPS_OPENBAO_ADDR, ...
            parts = urlsplit(value)
            needed.add(parts.port or {"http": 80, "https": 443}[parts.scheme])
        elif name.endswith("_ADDRESS"):
            needed.add(int(value.rsplit(":", 1)[1]))
    assert needed and needed <= egress_ports, f"ports {sorted(needed - egress_ports)} are not allowed out"


# -- the inventory the ConfigMap carries


def validate(inventory: Path, *env_files: Path) -> dict:
    import json

    command = [str(gateway_binary()), "validate", "--inventory", str(inventory), "--json"]
    for path in env_files:
        command += ["--env-file", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=clean_env(),
                            stdin=subprocess.DEVNULL)
    report = json.loads(result.stdout)
    return {"returncode": result.returncode, **report}


def test_the_bundled_cluster_inventory_validates_with_its_env_files():
    """As docs/operations.md says to check it: the inventory in the base, its generated env and the
    Secret's references as env files."""
    report = validate(DEPLOY / "base" / "connectors.yaml",
                      DEPLOY / "base" / "generated.env", DEPLOY / "base" / "secret-refs.env")
    assert report["returncode"] == 0 and report["valid"] is True, report["errors"]
    assert report["connectors"] == ["langboard", "nexus", "daytona", "cliproxy", "temporal", "status-page"]


def test_the_inventory_itself_names_no_cluster_internal_host():
    """Rule 7: cluster-internal names arrive through the generated env only."""
    def strings(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield str(key)
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        else:
            yield str(value)

    values = list(strings(yaml.safe_load((DEPLOY / "base" / "connectors.yaml").read_text())))
    assert not [value for value in values if ".svc" in value or "cluster.local" in value]
    report = validate(DEPLOY / "base" / "connectors.yaml")
    assert not [issue for issue in report["errors"] if issue["code"] == "host.cluster_internal"]


def test_what_the_pods_get_validates(rendered, tmp_path):
    """The rendered ConfigMap's connectors.yaml with the rendered env (ConfigMap, Secret and the
    overlay's explicit env, as envFrom and env deliver them) passes `gateway validate`."""
    _, documents = rendered
    (tmp_path / "connectors.yaml").write_text(mounted_inventory(documents))
    from_config, from_secret, explicit = pod_env(documents)
    files = []
    for name, values in [("generated.env", from_config), ("secret-refs.env", from_secret), ("explicit.env", explicit)]:
        (tmp_path / name).write_text(dotenv(values))
        files.append(tmp_path / name)
    report = validate(tmp_path / "connectors.yaml", *files)
    assert report["returncode"] == 0 and report["valid"] is True, report["errors"]


# -- the container build file (Docker is not available here: its shape is checked, not built)


def test_the_containerfile_builds_static_and_runs_unprivileged():
    text = (DEPLOY / "Containerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE | re.IGNORECASE)
    assert len(stages) >= 2 and stages[0][1], stages
    assert "scripts/build-static" in text
    # The scripts the build runs are in the image's context, and so is every script they run.
    copied = {name for line in re.findall(r"^COPY\s+(.*)$", text, re.MULTILINE) for name in line.split()[:-1]}
    for script in [name for name in copied if name.startswith("scripts/")]:
        for called in re.findall(r'"\$\(dirname "\$0"\)/([\w-]+)"', (REPO / script).read_text()):
            assert f"scripts/{called}" in copied, f"{script} runs scripts/{called}, which the Containerfile does not copy"
    final = text[text.rfind("\nFROM"):]
    user = re.search(r"^USER\s+(\S+)", final, re.MULTILINE)
    assert user and re.fullmatch(r"[1-9]\d*(:\d+)?", user.group(1)), "the final stage needs a numeric non-root USER"
    assert re.search(r"^EXPOSE\s+8080\b", final, re.MULTILINE)
    entrypoint = re.search(r"^ENTRYPOINT\s+(\[.*\])", final, re.MULTILINE)
    assert entrypoint
    assert yaml.safe_load(entrypoint.group(1))[:2] == ["/usr/local/bin/gateway", "serve"]
    assert "/etc/fractalops/connectors.yaml" in final
    assert not re.search(r"^RUN\s", final, re.MULTILINE), "the final stage runs nothing at build time"
