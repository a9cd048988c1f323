#!/usr/bin/env bash
# The GPU check for a machine that has an NVIDIA GPU and nothing else: no JDK, no Maven, no database,
# no network (a lent accelerator, a fresh cloud VM). Run this here, after the build and with models in
# the registry ('./fmnist up' trains them); it writes a self-contained bundle and splits it into parts
# small enough for size-limited copies:
#   target/gpu-bundle/fmnist-gpu-check.tar.gz.part-aa, -ab, ...
# (target/gpu-bundle/fmnist-gpu-check is the unpacked bundle: FMNIST_GPU_CHECK_NO_GPU=1 .../run.sh tries it here.)
# On the GPU machine, in a folder holding all the parts:
#   cat fmnist-gpu-check.tar.gz.part-* | tar -xzf - -C /tmp && /tmp/fmnist-gpu-check/run.sh
# The bundle: a jlink'ed Java runtime, GpuCheck and its classpath with XGBoost4J's CUDA build in place of
# the CPU one, the newest registered models in Triton's layout (GpuCheck --export), and the two t10k
# files. ONNX Runtime is the CPU build unless FMNIST_GPU_BUNDLE_ONNX_CUDA=1: then onnxruntime_gpu (its CUDA
# provider alone is 369 MB) and, for a machine without them, the CUDA 12 libraries it links (cuBLAS, cuBLASLt,
# cuFFT, the CUDA runtime: about 840 MB, from NVIDIA's redistributables in org.bytedeco:cuda on Maven Central;
# cuDNN 9 must be on the machine). The bundle then grows from about 300 MB to about 1.2 GB (about 900 MB
# with FMNIST_GPU_BUNDLE_XGBOOST_CUDA=0).
# Options (environment): FMNIST_GPU_BUNDLE_ONNX_CUDA (0), FMNIST_GPU_BUNDLE_XGBOOST_CUDA (1: XGBoost's CUDA
# build; 0 keeps the CPU one), FMNIST_GPU_BUNDLE_PART (split size, default 58M), FMNIST_GPU_MODELS (default
# "lenet cnn xgboost forest").
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "gpu bundle: $1" >&2; exit 1; }
say() { echo "gpu bundle: $*"; }

models=${FMNIST_GPU_MODELS:-lenet cnn xgboost forest}
xgboost_version=$(sed -n "s:.*<xgboost.version>\(.*\)</xgboost.version>.*:\1:p" pom.xml | head -1)
out=target/gpu-bundle
root=$out/fmnist-gpu-check
rm -rf "$out" && mkdir -p "$root"/{lib,native/lib/linux/x86_64,models,data}

[ -d benchmarks/target/classes ] || die "build first: mvn -DskipTests install"
say "classpath of module benchmarks (mvn dependency:build-classpath)"
mvn -B -q -ntp -Dlicense.skip=true -pl benchmarks dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null || die "mvn dependency:build-classpath failed"
cp=$(cat benchmarks/target/classpath.txt)

say "models from the registry: $models"
java -cp "benchmarks/target/classes:$cp" dev.fmnist.benchmarks.GpuCheck --export "$root/models" $models ||
  die "exporting the models failed: is the registry up and are they trained? ('./fmnist up' trains them)"

onnx_cuda=${FMNIST_GPU_BUNDLE_ONNX_CUDA:-0}
xgboost_cuda=${FMNIST_GPU_BUNDLE_XGBOOST_CUDA:-1}
fetch() { # groupId:artifactId:version[:packaging:classifier], what
  say "$2: $1 (Maven Central)"
  mvn -B -q -ntp dependency:copy -Dartifact="$1" -DoutputDirectory="$out" >/dev/null || die "could not fetch $1"
}
if [ "$xgboost_cuda" = 1 ]; then
  fetch "ml.dmlc:xgboost4j-spark-gpu_2.12:$xgboost_version" "XGBoost4J's CUDA build, about 270 MB"
  gpu_jar="$out/xgboost4j-spark-gpu_2.12-$xgboost_version.jar"
  # its native library goes on the classpath as a folder (XGBoost4J loads it as a resource), the jar without it
  unzip -q -o "$gpu_jar" 'lib/linux/x86_64/libxgboost4j.so' -d "$root/native"
  zip -q -d "$gpu_jar" 'lib/*' && mv "$gpu_jar" "$root/lib/"
fi
if [ "$onnx_cuda" = 1 ]; then
  onnx_version=$(sed -n "s:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p" pom.xml | head -1)
  fetch "com.microsoft.onnxruntime:onnxruntime_gpu:$onnx_version" "ONNX Runtime's CUDA build, about 450 MB"
  # org.bytedeco:cuda's redistributable jar: NVIDIA's CUDA 12.6 libraries (about 3 GB; the four that
  # onnxruntime_gpu links and the machine may lack are taken out of it)
  cuda12=org.bytedeco:cuda:12.6-9.5-1.5.11:jar:linux-x86_64-redist
  fetch "$cuda12" "CUDA 12 libraries, about 3 GB"
  mkdir -p "$root/cuda12"
  unzip -q -j -o "$out"/cuda-*-linux-x86_64-redist.jar -d "$root/cuda12" 'org/bytedeco/cuda/linux-x86_64/libcublas.so.12' \
    'org/bytedeco/cuda/linux-x86_64/libcublasLt.so.12' 'org/bytedeco/cuda/linux-x86_64/libcufft.so.11' \
    'org/bytedeco/cuda/linux-x86_64/libcudart.so.12'
  rm -f "$out"/cuda-*-linux-x86_64-redist.jar
fi

IFS=: read -r -a jars <<<"$cp"
for jar in "${jars[@]}"; do
  case "$(basename "$jar")" in
    xgboost4j_*) [ "$xgboost_cuda" = 1 ] || cp "$jar" "$root/lib/" ;; # else replaced by the CUDA build above
    # what GpuCheck never touches (the benchmarks' Kafka load, JMH's code generation, test helpers): less to copy
    kafka-clients-*|zstd-jni-*|snappy-java-*|lz4-java-*|byte-buddy-*|assertj-core-*) ;;
    onnxruntime-*)
      if [ "$onnx_cuda" = 1 ]; then mv "$out/onnxruntime_gpu-$onnx_version.jar" "$root/lib/"; else cp "$jar" "$root/lib/"; fi
      # Linux x86-64's native libraries only (the CUDA build also ships Windows' and TensorRT's)
      zip -q -d "$root/lib/"onnxruntime*.jar 'ai/onnxruntime/native/osx*' 'ai/onnxruntime/native/win*' \
        'ai/onnxruntime/native/linux-aarch64/*' 'ai/onnxruntime/native/linux-x64/*tensorrt*' >/dev/null || true ;;
    *) cp "$jar" "$root/lib/" ;;
  esac
done
cp -r benchmarks/target/classes "$root/classes"

say "the two t10k files of the dataset"
data=${FMNIST_DATA_DIR:-/usr/share/datasets/fashion-mnist} # Debian's dataset-fashion-mnist
cp "$data"/t10k-images-idx3-ubyte* "$data"/t10k-labels-idx1-ubyte* "$root/data/" ||
  die "no t10k files in $data (./fmnist doctor installs the dataset)"

say "a Java runtime (jlink) with the modules the classpath needs"
modules=$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps -q \
  --class-path "$root/lib/*" "$root/classes" 2>/dev/null || true)
modules=${modules:-java.base,java.logging,java.management,java.naming,java.sql,jdk.unsupported}
jlink --add-modules "$modules,jdk.crypto.ec,jdk.zipfs" --strip-debug --no-man-pages --no-header-files \
  --output "$root/jre" || die "jlink failed"
# XGBoost's OpenMP runtime, for a machine without one (run.sh uses it only then)
gomp=$(ldconfig -p | awk '/libgomp.so.1 .*x86-64/ {print $NF; exit}')
[ -n "$gomp" ] && mkdir -p "$root/syslib" && cp -L "$gomp" "$root/syslib/"

cp deploy/gpu/run-bundle.sh "$root/run.sh"
chmod +x "$root/run.sh"
say "packing"
tar -C "$out" -cf - fmnist-gpu-check | gzip -6 | split -b "${FMNIST_GPU_BUNDLE_PART:-58M}" - "$out/fmnist-gpu-check.tar.gz.part-"
du -sh "$root"/* | sed 's/^/  /'
ls -l "$out"/fmnist-gpu-check.tar.gz.part-*
say "done: copy the parts to the GPU machine, then: cat fmnist-gpu-check.tar.gz.part-* | tar -xzf - -C /tmp && /tmp/fmnist-gpu-check/run.sh"
