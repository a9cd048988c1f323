#!/usr/bin/env bash
# The one GPU check (issue #20 item 5), for the day a machine with an NVIDIA GPU is at hand:
#   1. builds the platform with the CUDA engines (Maven profile cuda: onnxruntime_gpu, XGBoost4J's CUDA build)
#      and runs './fmnist benchmark --quick' with inference-service on the CUDA execution provider
#      (inference.execution-provider=cuda: it fails instead of falling back to the CPU): short training runs,
#      raw ONNX Runtime throughput, end-to-end Kafka, OIP HTTP and OIP gRPC latency -> results/benchmarks.md;
#   2. scores the 10,000 test images with the models it registered on CUDA and on the CPU (GpuCheck): same
#      labels, largest probability difference <= 1e-4, batch-256 throughput of both -> results/gpu-check.md.
# Prints one table at the end. Exit status: 0 agree, 1 a disagreement or a failed step, 2 no usable GPU.
# Needs what './fmnist benchmark' needs (JDK 17+, Maven, PostgreSQL, the dataset) plus the NVIDIA driver and
# CUDA 12/13 libraries that onnxruntime_gpu loads (docs/inference.md, "GPU").
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "gpu check: $1" >&2; exit "${2:-1}"; }

command -v nvidia-smi >/dev/null ||
  die "no NVIDIA driver here (nvidia-smi not found): run this on a machine with an NVIDIA GPU; the CUDA path stays unverified" 2
gpus=$(nvidia-smi -L 2>/dev/null || true)
[ -n "$gpus" ] || die "nvidia-smi lists no GPU: run this on a machine with an NVIDIA GPU; the CUDA path stays unverified" 2
echo "gpu check: $gpus"

export FMNIST_MAVEN_PROFILES=cuda INFERENCE_EXECUTION_PROVIDER=cuda
start=$(date +%s)
./fmnist benchmark --quick || die "'./fmnist benchmark --quick' on CUDA failed (output above)"

[ -f benchmarks/target/classpath.txt ] || die "benchmarks/target/classpath.txt is missing: the benchmark's build step did not run"
mkdir -p results
set +e
java -Xmx2g -Dfmnist.benchmark.registry-url=jdbc:postgresql://127.0.0.1:5432/fmnist_benchmark \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.fmnist.benchmarks.GpuCheck lenet cnn xgboost forest \
  > results/gpu-check.md
status=$?
set -e

echo
echo "GPU check, $(date -u +%Y-%m-%dT%H:%MZ), $(echo "$gpus" | head -1), $(( $(date +%s) - start )) s"
echo
cat results/gpu-check.md
echo
echo "Platform on CUDA (results/benchmarks.md): raw throughput, end-to-end Kafka, OIP HTTP and gRPC latency"
grep -E '^\| (raw|end-to-end|OIP)' results/benchmarks.md || true
exit "$status"
