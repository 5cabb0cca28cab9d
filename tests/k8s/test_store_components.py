"""Offline checks of the components that add a log store to the manifests (k8s/aws,
k8s/opensearch) and of the credentials Secret's example.

Each component is built the way its README tells an operator to: a copy of k8s/ with the
component listed under `components`, rendered by `kubectl kustomize` and validated against the
Kubernetes schema; then the settings it adds are checked against `Settings`, and its egress
against the endpoint those settings name.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import SecretStr

from log_analyzer.core.config import Settings
from log_analyzer.sources.opensearch.errors import AWS_PERMISSIONS
from tests.k8s.test_manifests import K8S, kustomize, load_all, validate

Manifest = dict[str, Any]
CLOUDWATCH_ACTIONS = {
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StopQuery",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
}


def built_with(component: str, tmp_path: Path) -> list[Manifest]:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    with (copy / "kustomization.yaml").open("a", encoding="utf-8") as file:
        file.write(f"components:\n  - {component}\n")
    objects = kustomize(copy)
    for manifest in objects:
        validate(manifest)
    return objects


def one(objects: list[Manifest], kind: str, name: str | None = None) -> Manifest:
    found = [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    assert len(found) == 1, (kind, name)
    return found[0]


def settings_of(config: dict[str, str]) -> Settings:
    return Settings.model_validate({key.lower(): value for key, value in config.items()})


def test_cloudwatch_component_runs_the_pod_as_an_irsa_service_account(tmp_path: Path) -> None:
    objects = built_with("aws", tmp_path)
    account = one(objects, "ServiceAccount")
    role = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert role.startswith("arn:aws:iam::") and ":role/" in role
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    settings = settings_of(one(objects, "ConfigMap")["data"])
    assert settings.aws_region and settings.log_source == "cloudwatch"


def test_cloudwatch_egress_is_https_only(tmp_path: Path) -> None:
    policy = one(built_with("aws", tmp_path), "NetworkPolicy", "log-analyzer-cloudwatch")
    (rule,) = policy["spec"]["egress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 443}]


def test_opensearch_component_names_the_store_and_opens_egress_to_its_port(
    tmp_path: Path,
) -> None:
    objects = built_with("opensearch", tmp_path)
    settings = settings_of(one(objects, "ConfigMap")["data"])
    assert settings.log_source == "opensearch" and settings.opensearch_url is not None
    assert settings.opensearch_verify_tls and settings.opensearch_auth == "default"
    url = urlsplit(str(settings.opensearch_url))
    namespace = (url.hostname or "").split(".")[1]
    policy = one(objects, "NetworkPolicy", "log-analyzer-opensearch")
    (rule,) = policy["spec"]["egress"]
    (peer,) = rule["to"]
    assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": namespace}
    assert rule["ports"] == [{"protocol": "TCP", "port": url.port}]


def test_the_iam_policy_grants_exactly_the_documented_read_actions() -> None:
    document = json.loads((K8S / "aws" / "log-analyzer-cloudwatch-policy.json").read_text())
    actions = {action for statement in document["Statement"] for action in statement["Action"]}
    assert actions == CLOUDWATCH_ACTIONS
    assert all(statement["Effect"] == "Allow" for statement in document["Statement"])


def test_the_opensearch_iam_policy_grants_the_actions_sigv4_refusals_name() -> None:
    """The policy of an IRSA role reading Amazon OpenSearch Service or Serverless (sigv4)."""
    path = K8S / "aws" / "log-analyzer-opensearch-policy.json"
    document = json.loads(path.read_text())
    actions = {action for statement in document["Statement"] for action in statement["Action"]}
    assert actions == {"es:ESHttpGet", "es:ESHttpPost", "es:ESHttpDelete", "aoss:APIAccessAll"}
    for action in actions:  # the error of a refused request names what to grant
        service = action.split(":")[0]
        assert action in AWS_PERMISSIONS[service]
    assert all(statement["Effect"] == "Allow" for statement in document["Statement"])


def test_secret_example_holds_only_secret_settings_and_is_not_applied() -> None:
    (secret,) = load_all(K8S / "secret.example.yaml")
    validate(secret)
    for key in secret["stringData"]:
        field = Settings.model_fields[key.lower()]
        assert "SecretStr" in str(field.annotation) or key == "OPENSEARCH_USERNAME", key
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert "secret.example.yaml" not in listed


def test_the_pod_reads_the_secret_but_starts_without_it() -> None:
    (deployment,) = load_all(K8S / "02-deployment.yaml")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    refs = [ref["secretRef"] for ref in container["envFrom"] if "secretRef" in ref]
    assert refs == [{"name": "log-analyzer-secrets", "optional": True}]


def test_secret_settings_never_print_their_value() -> None:
    settings = Settings(opensearch_username="u", opensearch_password=SecretStr("change-me"))
    assert "change-me" not in repr(settings)
