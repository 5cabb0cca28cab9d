# Every command of the project, for developers and CI alike. `just` lists them.

set shell := ["bash", "-euo", "pipefail", "-c"]

# The k3s node that receives the image (`just deploy`); any host name ssh knows.
node := env("K3S_NODE", "node-1")
k8s_namespace := "log-analyzer"
service_url := "http://log-analyzer.log-analyzer.svc.cluster.local:8000"
local_url := "http://localhost:8000"
curl_image := "curlimages/curl:8.11.1"

# The namespace enforces the "restricted" Pod Security Standard, so even the smoke-test pod
# must run unprivileged. curl_user has no numeric USER in the image: give it one.
smoke_pod_overrides := '{"apiVersion":"v1","spec":{"automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"runAsUser":65534,"runAsGroup":65534,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"log-analyzer-smoke","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}'

# List the recipes
default:
    @just --list --unsorted

# Install the locked dependencies, dev tools included
sync:
    uv sync --locked

# Run the test suite
test *args:
    uv run pytest {{ args }}

# Lint, check formatting, type-check and check the import contracts (layers, no cycles)
lint:
    uv run ruff check .
    uv run ruff format --check .
    uv run mypy
    uv run lint-imports

# Everything CI checks: lint, then the tests
check: lint test

# Run the command-line demo; with `just llm` running in another terminal the analysis is real
demo:
    uv run log-analyzer demo

# Install llama.cpp's llama-server and SmolLM2-135M-Instruct into .llama/ if they are missing
llm-install:
    scripts/llama-server.sh install

# Start llama-server on 127.0.0.1:<port>: <ctx> tokens shared by <slots> slots (ctx/slots each)
llm ctx="4096" slots="2" port="8080":
    scripts/llama-server.sh start {{ ctx }} {{ slots }} {{ port }}

# Run only the tests against a real llama.cpp server (installs it first)
test-llama: llm-install
    uv run pytest -m llama --no-cov

# Serve the API on localhost:8000, reloading on every source change
run:
    uv run uvicorn log_analyzer.main:app --reload --port 8000

# Port-forward Loki (3100), llama.cpp (8080) and Tempo (4317) from the cluster; Ctrl-C stops all
dev:
    #!/usr/bin/env bash
    set -euo pipefail
    # Ctrl-C ends the script, and leaving it for any reason stops every forward.
    trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
    trap 'exit 130' INT TERM
    kubectl -n logging port-forward svc/loki 3100:3100 &
    kubectl -n llm port-forward svc/llama-cpp 8080:8080 &
    kubectl -n logging port-forward svc/tempo 4317:4317 &
    echo "Forwarding Loki :3100, llama.cpp :8080, Tempo :4317 (Ctrl-C to stop)"
    # Returns as soon as one forward dies; the trap then stops the others.
    wait -n

# Stream an analysis of the last hour of a namespace's logs from the local service
test-stream namespace="kube-system":
    curl -sS -N --fail-with-body -X POST {{ local_url }}/v1/analyze/stream \
        -H 'Content-Type: application/json' \
        -d '{"filters":{"namespace":"{{ namespace }}"},"time_range":{"since":"1h"}}'

# Build the linux/amd64 image, tagged with the version in pyproject.toml
build:
    docker buildx build --platform linux/amd64 -t "log-analyzer:$(uv version --short)" --load .

# Build, load the image into the k3s node's containerd (K3S_NODE, default node-1), apply k8s/, wait
deploy: build
    #!/usr/bin/env bash
    set -euo pipefail
    image="log-analyzer:$(uv version --short)"
    archive="$(mktemp "${TMPDIR:-/tmp}/log-analyzer-image.XXXXXX")"
    trap 'rm -f "$archive"' EXIT
    docker save "$image" -o "$archive"
    scp "$archive" "{{ node }}:/tmp/log-analyzer-image.tar"
    ssh "{{ node }}" 'sudo k3s ctr images import /tmp/log-analyzer-image.tar && rm -f /tmp/log-analyzer-image.tar'
    kubectl apply -k k8s/
    # A rebuilt image keeps its tag; restart so the new pod starts from the imported one.
    kubectl -n {{ k8s_namespace }} rollout restart deployment/log-analyzer
    kubectl -n {{ k8s_namespace }} rollout status deployment/log-analyzer --timeout=300s

# From a throwaway curl pod inside the cluster, stream an analysis through the Service's DNS name
test-k8s namespace="log-analyzer":
    kubectl -n {{ k8s_namespace }} delete pod log-analyzer-smoke --ignore-not-found --wait
    kubectl -n {{ k8s_namespace }} run log-analyzer-smoke --rm -i --restart=Never --quiet \
        --image={{ curl_image }} --override-type=strategic --overrides='{{ smoke_pod_overrides }}' \
        --command -- curl -sS -N --fail-with-body --max-time 600 -X POST \
        {{ service_url }}/v1/analyze/stream \
        -H 'Content-Type: application/json' \
        -d '{"filters":{"namespace":"{{ namespace }}"},"time_range":{"since":"1h"}}'

# Port-forward the in-cluster Service to localhost:8000
dev-k8s:
    kubectl -n {{ k8s_namespace }} port-forward svc/log-analyzer 8000:8000

# Stream an analysis from the in-cluster service through `just dev-k8s`
test-k8s-local namespace="log-analyzer":
    curl -sS -N --fail-with-body -X POST {{ local_url }}/v1/analyze/stream \
        -H 'Content-Type: application/json' \
        -d '{"filters":{"namespace":"{{ namespace }}"},"time_range":{"since":"1h"}}'

# Follow the service's logs in the cluster
logs:
    kubectl -n {{ k8s_namespace }} logs -f deployment/log-analyzer --tail=100

# MODULE is logql, spikes (find_spikes in logs/totals.py), totals (all of logs/totals.py), fit or
# redact: `just mutate spikes`. mutants/ is rebuilt each run, so the map of which tests reach
# which function is never stale; afterwards `uv run --group mutation mutmut show NAME` shows what
# a survivor changed. Two workers at most: mutation runs share the machine with everything else.
# Mutation-test one module with mutmut; print its score (killed / total) and every survivor
mutate module:
    #!/usr/bin/env bash
    set -euo pipefail
    case "{{ module }}" in
        logql) prefix="log_analyzer.sources.loki.logql."
            tests="tests/sources/loki/test_logql.py tests/sources/loki/test_counts.py" ;;
        spikes) prefix="log_analyzer.logs.totals.x_find_spikes__mutmut_"
            tests="tests/logs/test_totals.py tests/sources/loki/test_counts.py" ;;
        totals) prefix="log_analyzer.logs.totals."
            tests="tests/logs/test_totals.py tests/sources/loki/test_counts.py" ;;
        fit) prefix="log_analyzer.analysis.fit."
            tests="tests/analysis/test_fit.py" ;;
        redact) prefix="log_analyzer.logs.redact."
            tests="tests/logs/test_redact.py tests/logs/redaction tests/analysis/test_redact_pipeline.py" ;;
        *) echo "unknown module '{{ module }}': logql, spikes, totals, fit or redact" >&2; exit 2 ;;
    esac
    # mutmut first runs its whole test selection ([tool.mutmut] in pyproject.toml), and one
    # failing test there stops the run: leave out the tests of the modules not tested now.
    selection=$(uv run python -c 'import tomllib
    mutmut = tomllib.load(open("pyproject.toml", "rb"))["tool"]["mutmut"]
    print(*mutmut["pytest_add_cli_args_test_selection"])')
    leave_out=""
    for path in $selection; do
        case " $tests " in *" $path "*) ;; *) leave_out+=" --deselect=$path" ;; esac
    done
    rm -rf mutants
    start=$SECONDS
    # Its closing list names every mutant it ran; the killed ones are left out here.
    PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-}$leave_out" \
        uv run --group mutation mutmut run --max-children 2 "${prefix}*" | grep -v '^🎉 '
    took=$((SECONDS - start))
    # `results --all true` prints `name: status` for every mutant of every configured module.
    uv run --group mutation mutmut results --all true | awk -v prefix="$prefix" -v took="$took" '
        { name = $1; sub(/:$/, "", name); status = $0; sub(/^[^:]*: /, "", status) }
        index(name, prefix) != 1 { next }
        { total++; by[status]++; if (status != "killed") left[++n] = status "  " name }
        END {
            if (!total) { print "no mutants named " prefix "*"; exit 1 }
            for (i = 1; i <= n; i++) print "  " left[i]
            for (s in by) printf "%s: %d  ", s, by[s]
            printf "\n%s: %d killed / %d mutants = %.1f%% in %ds\n",
                prefix, by["killed"], total, 100 * by["killed"] / total, took
        }'
