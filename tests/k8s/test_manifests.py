"""Offline checks of the Kubernetes manifests and the Grafana provisioning under k8s/.

Every object is validated against the Kubernetes OpenAPI schema shipped by kubernetes-validate
(no cluster, no network), the kustomizations are built with `kubectl kustomize` when kubectl is
installed, and the settings that matter at run time are asserted one by one: they are the ones a
schema cannot know about (probe paths, ports that must agree across files, egress to exactly the
upstreams the ConfigMap names, a derived-field regex that matches the service's real log lines).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from opentelemetry.sdk.trace import TracerProvider

from log_analyzer.api.routes.health import READY_CHECK_SECONDS
from log_analyzer.core.config import Settings
from log_analyzer.core.logging import TraceContextFilter, json_formatter

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
GRAFANA = K8S / "grafana"
NAMESPACE = "log-analyzer"
APP_LABEL = "app.kubernetes.io/name"

# A release k3s ships and kubernetes-validate has schemas for (it bundles 1.25 to 1.37).
KUBERNETES_VERSION = "1.33"

UPSTREAMS = {
    "LOKI_URL": "http://loki.logging.svc.cluster.local:3100",
    "LLAMA_URL": "http://llama-cpp.llm.svc.cluster.local:8080",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://tempo.logging.svc.cluster.local:4317",
}

# The example line of the logging contract, as it reaches Loki.
TRACE_ID = "51c9f0e3a5b84c1e9d2f7a6b3c4d5e6f"
SPAN_ID = "025f3a4b5c6d7e8f"
LOG_LINE = (
    '{"timestamp": "2026-11-23T20:01:02.123456+00:00", "level": "INFO", '
    '"logger": "log_analyzer.main", "message": "Starting log analysis", '
    f'"trace_id": "{TRACE_ID}", "span_id": "{SPAN_ID}", "trace_flags": 1, '
    '"namespace": "log-analyzer", "limit": 15}'
)

Manifest = dict[str, Any]


def load_all(path: Path) -> list[Manifest]:
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert all(isinstance(d, dict) for d in documents), path
    return documents


def manifest_files() -> list[Path]:
    return sorted(K8S.glob("[0-9][0-9]-*.yaml"))


@pytest.fixture(scope="module")
def by_kind() -> dict[str, Manifest]:
    objects = [doc for path in manifest_files() for doc in load_all(path)]
    kinds = [o["kind"] for o in objects]
    assert len(kinds) == len(set(kinds)), "one object of each kind"
    return {o["kind"]: o for o in objects}


@pytest.fixture(scope="module")
def deployment(by_kind: dict[str, Manifest]) -> Manifest:
    return by_kind["Deployment"]


@pytest.fixture(scope="module")
def pod(deployment: Manifest) -> Manifest:
    spec: Manifest = deployment["spec"]["template"]["spec"]
    return spec


@pytest.fixture(scope="module")
def container(pod: Manifest) -> Manifest:
    (only,) = pod["containers"]
    assert isinstance(only, dict)
    return only


@pytest.fixture(scope="module")
def pod_labels(deployment: Manifest) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


@pytest.fixture(scope="module")
def config(by_kind: dict[str, Manifest]) -> dict[str, str]:
    data: dict[str, str] = by_kind["ConfigMap"]["data"]
    return data


@pytest.fixture(scope="module")
def datasources() -> dict[str, Manifest]:
    (provisioning,) = load_all(GRAFANA / "datasources.yaml")
    assert provisioning["apiVersion"] == 1
    return {d["uid"]: d for d in provisioning["datasources"]}


def kustomize(directory: Path) -> list[Manifest]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: cannot run kustomize")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None]


def validate(manifest: Manifest) -> None:
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        name = f"{manifest['kind']}/{manifest['metadata']['name']}"
        pytest.fail(f"{name}: {exc.message} at {'.'.join(map(str, exc.path))}")


def port_number(container: Manifest, port: int | str) -> int:
    """Resolve a named port the way the kubelet and the Service controller do."""
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    assert isinstance(number, int)
    return number


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= labels.items()


# ---- schema and kustomize --------------------------------------------------------------------


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.name)
def test_manifest_is_valid_for_kubernetes(path: Path) -> None:
    documents = load_all(path)
    assert documents
    for manifest in documents:
        validate(manifest)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization["resources"] == [p.name for p in manifest_files()]
    assert kustomization["namespace"] == NAMESPACE
    assert "grafana" not in " ".join(kustomization["resources"]), "Grafana's lives apart"


def test_image_tag_is_the_project_version() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert kustomization["images"] == [{"name": "log-analyzer", "newTag": version}]


def test_kustomize_build_is_valid_and_labelled() -> None:
    objects = kustomize(K8S)
    assert sorted(o["kind"] for o in objects) == sorted(
        ["Namespace", "ConfigMap", "Deployment", "Service", "NetworkPolicy", "PodDisruptionBudget"]
    )
    for manifest in objects:
        validate(manifest)
        assert manifest["metadata"]["labels"][APP_LABEL] == "log-analyzer"
        assert "app.kubernetes.io/managed-by" in manifest["metadata"]["labels"]
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == NAMESPACE
    (built,) = [o for o in objects if o["kind"] == "Deployment"]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    (container,) = built["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"log-analyzer:{version}"
    assert "app.kubernetes.io/part-of" in built["spec"]["template"]["metadata"]["labels"]
    # Selectors are immutable once applied: common labels must not leak into them.
    assert built["spec"]["selector"]["matchLabels"] == {APP_LABEL: "log-analyzer"}


def test_kustomize_leaves_network_policy_peers_alone() -> None:
    (policy,) = [o for o in kustomize(K8S) if o["kind"] == "NetworkPolicy"]
    for rule in policy["spec"]["egress"]:
        for peer in rule["to"]:
            assert APP_LABEL not in peer.get("podSelector", {}).get("matchLabels", {}), peer


def test_grafana_kustomization_builds_the_sidecar_configmap() -> None:
    (configmap,) = kustomize(GRAFANA)
    validate(configmap)
    assert configmap["kind"] == "ConfigMap"
    assert configmap["metadata"]["labels"]["grafana_datasource"] == "1"
    assert configmap["metadata"]["name"] == "log-analyzer-grafana-datasources", "no hash suffix"
    (content,) = configmap["data"].values()
    assert content == (GRAFANA / "datasources.yaml").read_text(encoding="utf-8")


# ---- namespace and configuration -------------------------------------------------------------


def test_namespace_enforces_restricted_pod_security(by_kind: dict[str, Manifest]) -> None:
    namespace = by_kind["Namespace"]
    assert namespace["metadata"]["name"] == NAMESPACE
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for manifest in by_kind.values():
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == NAMESPACE


def test_configmap_keys_are_settings_fields(config: dict[str, str]) -> None:
    unknown = [key for key in config if key.lower() not in Settings.model_fields]
    assert unknown == []
    assert all(key == key.upper() for key in config), "environment variables are upper case"


def test_configmap_values_are_valid_settings(config: dict[str, str]) -> None:
    # model_validate checks the values alone, without reading this process's environment.
    settings = Settings.model_validate({key.lower(): value for key, value in config.items()})
    assert settings.deployment_environment == config["DEPLOYMENT_ENVIRONMENT"] == "production"
    assert settings.model_name == config["MODEL_NAME"]


def test_configmap_reads_promtails_loki_labels_and_shows_the_others(config: dict[str, str]) -> None:
    settings = Settings.model_validate({key.lower(): value for key, value in config.items()})
    assert settings.loki_label_names == ("namespace", "pod", "container")
    # The label settings are there commented out, with their defaults, ready to be set.
    text = (K8S / "01-configmap.yaml").read_text(encoding="utf-8")
    commented = dict(re.findall(r"^  # (LOKI_[A-Z]+_LABEL): (\S+)$", text, re.MULTILINE))
    assert commented == {
        "LOKI_NAMESPACE_LABEL": "namespace",
        "LOKI_POD_LABEL": "pod",
        "LOKI_CONTAINER_LABEL": "container",
    }
    uncommented = {key.lower(): value for key, value in commented.items()}
    otel = Settings.model_validate({"loki_labels": "otel", **uncommented})
    assert otel.loki_label_names == settings.loki_label_names, "set, they win over LOKI_LABELS"


@pytest.mark.parametrize(("key", "url"), UPSTREAMS.items(), ids=list(UPSTREAMS))
def test_configmap_points_at_in_cluster_services(
    config: dict[str, str], key: str, url: str
) -> None:
    assert config[key] == url


# ---- deployment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probe", "path"),
    [
        pytest.param("startupProbe", "/health", id="startup"),
        pytest.param("livenessProbe", "/health", id="liveness"),
        pytest.param("readinessProbe", "/ready", id="readiness"),
    ],
)
def test_probes(container: Manifest, probe: str, path: str) -> None:
    http_get = container[probe]["httpGet"]
    assert http_get["path"] == path
    assert port_number(container, http_get["port"]) == 8000


def test_readiness_answers_within_the_probe_s_timeout(container: Manifest) -> None:
    # /ready bounds each store's check, so a hung store is reported, not waited for.
    assert container["readinessProbe"]["timeoutSeconds"] >= READY_CHECK_SECONDS + 1


def test_startup_probe_gives_the_process_time_to_start(container: Manifest) -> None:
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30


def test_resources(container: Manifest) -> None:
    assert container["resources"] == {
        "requests": {"cpu": "200m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_runs_on_node_1(pod: Manifest) -> None:
    assert pod["nodeSelector"] == {"kubernetes.io/hostname": "node-1"}


def test_pod_security_context(pod: Manifest, container: Manifest) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert pod["automountServiceAccountToken"] is False


def test_tmp_is_a_writable_empty_dir(pod: Manifest, container: Manifest) -> None:
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert not mount.get("readOnly", False)
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert "emptyDir" in volume


def test_streams_in_flight_can_finish_on_shutdown(pod: Manifest, container: Manifest) -> None:
    assert pod["terminationGracePeriodSeconds"] >= 120
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    assert 0 < int(command[1]) <= 15


def test_configuration_comes_from_the_configmap(
    container: Manifest, by_kind: dict[str, Manifest]
) -> None:
    assert container["envFrom"] == [
        {"configMapRef": {"name": by_kind["ConfigMap"]["metadata"]["name"]}},
        # Credentials only, optional (tests/k8s/test_store_components.py).
        {"secretRef": {"name": "log-analyzer-secrets", "optional": True}},
    ]


def test_spans_carry_the_kubernetes_namespace(container: Manifest) -> None:
    env = {e["name"]: e for e in container["env"]}
    attributes = env["OTEL_RESOURCE_ATTRIBUTES"]["value"]
    assert "k8s.namespace.name=$(POD_NAMESPACE)" in attributes.split(",")
    assert env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
    # $(VAR) is expanded only for variables defined earlier in the list.
    names = list(env)
    assert names.index("POD_NAMESPACE") < names.index("OTEL_RESOURCE_ATTRIBUTES")


def test_image_is_side_loaded(container: Manifest) -> None:
    assert container["image"] == "log-analyzer"
    assert container["imagePullPolicy"] == "IfNotPresent"


def test_deployment_selects_its_own_pods(deployment: Manifest, pod_labels: dict[str, str]) -> None:
    assert matches(deployment["spec"]["selector"]["matchLabels"], pod_labels)


# ---- service, network policy, disruption budget ----------------------------------------------


def test_service_exposes_the_container_port(
    by_kind: dict[str, Manifest], container: Manifest, pod_labels: dict[str, str]
) -> None:
    service = by_kind["Service"]["spec"]
    assert service["type"] == "ClusterIP"
    assert matches(service["selector"], pod_labels)
    (port,) = service["ports"]
    assert port["port"] == 8000
    assert port_number(container, port["targetPort"]) == 8000


def test_network_policy_admits_only_the_api_port(
    by_kind: dict[str, Manifest], pod_labels: dict[str, str]
) -> None:
    spec = by_kind["NetworkPolicy"]["spec"]
    assert matches(spec["podSelector"]["matchLabels"], pod_labels)
    assert sorted(spec["policyTypes"]) == ["Egress", "Ingress"]
    (rule,) = spec["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]


def egress_allowed(spec: Manifest) -> set[tuple[str, str, int]]:
    """(namespace, protocol, port) triples the policy lets the pod reach."""
    allowed: set[tuple[str, str, int]] = set()
    for rule in spec["egress"]:
        assert rule.get("to"), "an egress rule without `to` would allow every destination"
        assert rule.get("ports"), "an egress rule without `ports` would allow every port"
        for peer in rule["to"]:
            assert "ipBlock" not in peer
            namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for port in rule["ports"]:
                allowed.add((namespace, port["protocol"], port["port"]))
    return allowed


def test_network_policy_egress_is_dns_and_the_three_upstreams(by_kind: dict[str, Manifest]) -> None:
    assert egress_allowed(by_kind["NetworkPolicy"]["spec"]) == {
        ("kube-system", "UDP", 53),
        ("kube-system", "TCP", 53),
        ("logging", "TCP", 3100),
        ("logging", "TCP", 4317),
        ("llm", "TCP", 8080),
    }


def test_dns_egress_reaches_only_coredns(by_kind: dict[str, Manifest]) -> None:
    (dns,) = [
        r
        for r in by_kind["NetworkPolicy"]["spec"]["egress"]
        if {p["port"] for p in r["ports"]} == {53}
    ]
    (peer,) = dns["to"]
    assert peer["podSelector"] == {
        "matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]
    }


@pytest.mark.parametrize("key", list(UPSTREAMS))
def test_every_configured_upstream_is_reachable(
    by_kind: dict[str, Manifest], config: dict[str, str], key: str
) -> None:
    url = urlsplit(config[key])
    assert url.hostname is not None
    assert url.port is not None
    service, namespace, *_ = url.hostname.split(".")
    assert url.hostname == f"{service}.{namespace}.svc.cluster.local"
    assert (namespace, "TCP", url.port) in egress_allowed(by_kind["NetworkPolicy"]["spec"])


def test_disruption_budget_selects_the_pod_and_allows_a_drain(
    by_kind: dict[str, Manifest], deployment: Manifest, pod_labels: dict[str, str]
) -> None:
    spec = by_kind["PodDisruptionBudget"]["spec"]
    assert matches(spec["selector"]["matchLabels"], pod_labels)
    replicas = deployment["spec"]["replicas"]
    if "minAvailable" in spec:
        assert spec["minAvailable"] < replicas, "otherwise no eviction is ever allowed"
    else:
        assert spec["maxUnavailable"] >= 1


# ---- Grafana: logs to traces and back --------------------------------------------------------


def python_regex(pattern: str) -> re.Pattern[str]:
    r"""Compile a Grafana regex with `re`, translating the one RE2-only escape (`\z`)."""
    return re.compile(re.sub(r"(?<!\\)\\z", r"\\Z", pattern))


@pytest.fixture(scope="module")
def trace_id_field(datasources: dict[str, Manifest]) -> Manifest:
    loki = datasources["loki"]
    assert loki["type"] == "loki"
    (field,) = [f for f in loki["jsonData"]["derivedFields"] if f["name"] == "TraceID"]
    assert isinstance(field, dict)
    return field


def test_trace_id_field_links_to_tempo(
    trace_id_field: Manifest, datasources: dict[str, Manifest]
) -> None:
    assert trace_id_field["datasourceUid"] == "tempo"
    assert datasources["tempo"]["type"] == "tempo"
    # `$$` is the provisioning file's escape for a literal `$`.
    assert trace_id_field["url"] == "$${__value.raw}"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(LOG_LINE, id="contract-example"),
        pytest.param(json.dumps(json.loads(LOG_LINE), separators=(",", ":")), id="compact-json"),
    ],
)
def test_trace_id_regex_captures_exactly_the_trace_id(trace_id_field: Manifest, line: str) -> None:
    regex = python_regex(trace_id_field["matcherRegex"])
    assert [m.group(1) for m in regex.finditer(line)] == [TRACE_ID]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('{"message": "no span", "trace_id": null, "span_id": null}', id="null"),
        pytest.param(f'{{"span_id": "{SPAN_ID}{SPAN_ID}"}}', id="other-field"),
        pytest.param(f'{{"message": "saw {TRACE_ID} upstream"}}', id="in-message"),
        pytest.param(f'{{"trace_id": "{TRACE_ID}00"}}', id="too-long"),
    ],
)
def test_trace_id_regex_ignores_lines_without_a_trace(trace_id_field: Manifest, line: str) -> None:
    assert python_regex(trace_id_field["matcherRegex"]).search(line) is None


def test_trace_id_regex_matches_the_service_s_own_log_lines(trace_id_field: Manifest) -> None:
    tracer = TracerProvider().get_tracer(__name__)
    record = logging.LogRecord("log_analyzer.main", logging.INFO, __file__, 1, "hello", None, None)
    with tracer.start_as_current_span("call_llm") as span:
        assert TraceContextFilter().filter(record)
        expected = f"{span.get_span_context().trace_id:032x}"
    line = json_formatter().format(record)
    match = python_regex(trace_id_field["matcherRegex"]).search(line)
    assert match is not None, line
    assert match.group(1) == expected


def test_tempo_links_spans_back_to_the_service_logs(datasources: dict[str, Manifest]) -> None:
    links = datasources["tempo"]["jsonData"]["tracesToLogsV2"]
    assert links["datasourceUid"] == "loki"
    assert datasources["loki"]["type"] == "loki"
    assert links["filterByTraceID"] is True
    assert links["customQuery"] is True
    # `$$` keeps Grafana's provisioning from reading ${__trace.traceId} as an environment variable.
    assert links["query"] == '{namespace="log-analyzer"} | json | trace_id="$${__trace.traceId}"'
    for shift in (links["spanStartTimeShift"], links["spanEndTimeShift"]):
        assert re.fullmatch(r"-?\d+(ms|s|m|h)", shift), shift
    tags = {t["key"]: t.get("value", t["key"]) for t in links["tags"]}
    # The resource attribute the Deployment sets, renamed to Loki's namespace label.
    assert tags["k8s.namespace.name"] == "namespace"


def test_datasource_urls_match_the_service_s_upstreams(
    datasources: dict[str, Manifest], config: dict[str, str]
) -> None:
    assert datasources["loki"]["url"] == config["LOKI_URL"]
    tempo = urlsplit(datasources["tempo"]["url"])
    assert tempo.hostname == urlsplit(config["OTEL_EXPORTER_OTLP_ENDPOINT"]).hostname
    assert tempo.port == 3200, "Grafana reads traces from Tempo's query API"


def test_every_dollar_in_the_provisioning_file_is_escaped() -> None:
    # Grafana would substitute an environment variable for a lone `${...}` and the template
    # variable would arrive empty.
    text = (GRAFANA / "datasources.yaml").read_text(encoding="utf-8")
    assert "$" not in text.replace("$$", "")
