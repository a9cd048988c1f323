#!/usr/bin/env bash
# The GPU check inside the bundle of deploy/gpu/bundle.sh, on a machine with an NVIDIA GPU and no JDK:
# scores the 10,000 test images with each model on CUDA and on the CPU (GpuCheck --models-dir) and prints
# one table. Exit status as GpuCheck's: 0 every model that ran on CUDA agrees, 1 a disagreement, 2 none ran
# on CUDA (or no GPU here).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gpus=$(nvidia-smi -L 2>/dev/null || true)
# FMNIST_GPU_CHECK_NO_GPU=1 runs it anyway (every row then says why it is not on CUDA): a try of the bundle
[ -n "$gpus" ] || [ -n "${FMNIST_GPU_CHECK_NO_GPU:-}" ] ||
  { echo "gpu check: no NVIDIA GPU here (nvidia-smi lists none)" >&2; exit 2; }
ldconfig -p | grep -q 'libgomp.so.1 ' || export LD_LIBRARY_PATH="$here/syslib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "GPU check (bundle), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1), $(nproc) CPU cores"
# onnxruntime_gpu's CUDA provider links CUDA 12's cuBLAS: say whether this machine could load it
cublas=$(ldconfig -p | grep -o 'libcublas\.so\.[0-9]*' | sort -u | tr '\n' ' ')
echo "- cuBLAS here: ${cublas:-none}(onnxruntime_gpu's CUDA provider needs libcublas.so.12 and libcublasLt.so.12)"
if [ -d "$here/cuda12" ]; then # the bundle's CUDA 12 libraries (FMNIST_GPU_BUNDLE_ONNX_CUDA=1), for ONNX Runtime
  export LD_LIBRARY_PATH="$here/cuda12${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "- the bundle's CUDA 12 libraries: $(cd "$here/cuda12" && ls | tr '\n' ' ')"
  echo "- cuDNN here: $(ldconfig -p | grep -o 'libcudnn\.so\.[0-9]* .*=> [^ ]*' | head -1)"
fi
echo "- models: $(cd "$here/models" && for m in *; do echo -n "$m v$(ls "$m" | sort -n | tail -1) "; done)"
echo
models=("$@")
[ ${#models[@]} -gt 0 ] || mapfile -t models < <(ls "$here/models")
start=$(date +%s)
batches=${FMNIST_GPU_CHECK_BATCHES-1,256,1024,4096} # empty: batch 256 alone
"$here/jre/bin/java" -Xmx8g -cp "$here/classes:$here/native:$here/lib/*" dev.fmnist.benchmarks.GpuCheck \
  --models-dir "$here/models" --test-data "$here/data" ${batches:+--batches "$batches"} "${models[@]}"
status=$?
echo
echo "GpuCheck took $(( $(date +%s) - start )) s, exit status $status"
exit $status
