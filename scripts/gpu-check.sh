#!/usr/bin/env bash
# Real-GPU check (issue #11): on Linux with an NVIDIA GPU, set up Vulkan for Dawn, make Qwen2.5-0.5B
# and -1.5B-shaped random checkpoints, then time generation, a LoRA SFT step and a GRPO step on WebGPU:
# tokens/s, achieved TFLOP/s, peak RSS and peak GPU memory. Usage: bash scripts/gpu-check.sh [WORKDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/warmup-gpu-check}
SIZES=${SIZES:-"0.5b 1.5b"}
mkdir -p "$WORK"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$WORK}
say() { printf '\n== %s\n' "$*"; }

say "GPU"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found: this script is for a machine with an NVIDIA GPU and its driver" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

say "Vulkan for Dawn"
# The NVIDIA ICD (nvidia_icd.json) comes with the driver; Dawn also needs the Vulkan loader.
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null
  else
    echo "gpu-check: install the Vulkan loader (Debian/Ubuntu: apt-get install libvulkan1)" >&2
    exit 2
  fi
fi
icd=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
if [ -z "$icd" ]; then
  echo "gpu-check: warning: no nvidia_icd.json; in a container pass NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics" >&2
else
  echo "NVIDIA Vulkan ICD: $icd"
  export VK_ICD_FILENAMES=$icd
fi

say "npm install"
npm install --no-audit --no-fund || exit 1

W="node apps/cli/bin/warmup.js"
if $W doctor --help >/dev/null 2>&1; then
  say "warmup doctor"
  $W doctor
fi

# Peak GPU memory: sample nvidia-smi every 200 ms while a phase runs.
gpu_peak_start() {
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$WORK/gpu-mem.txt" 2>/dev/null &
  GPU_SAMPLER=$!
}
gpu_peak_stop() {
  kill "$GPU_SAMPLER" 2>/dev/null
  wait "$GPU_SAMPLER" 2>/dev/null
  sort -n "$WORK/gpu-mem.txt" | tail -1
}
# run LABEL CMD...: wall time, peak RSS and peak GPU memory of one command.
run() {
  local label=$1
  shift
  gpu_peak_start
  /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
  local rc=$?
  local gpu
  gpu=$(gpu_peak_stop)
  read -r secs rss_kb <"$WORK/time.txt" || true
  echo "$label: exit $rc, ${secs:-?} s, peak RSS $((${rss_kb:-0} / 1024)) MiB, peak GPU memory ${gpu:-?} MiB"
  [ $rc -eq 0 ] || tail -5 "$WORK/$label.err"
  return $rc
}
# Last metrics.jsonl row of a run folder, as "key=value" for the given keys.
metrics() {
  node -e 'const fs=require("fs");const l=fs.readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse).filter(r=>r.step!==undefined).at(-1)||{};console.log(process.argv.slice(2).map(k=>`${k}=${l[k]}`).join(" "))' "$@"
}

say "data"
$W kk generate --people 3..5 --count 40 --with-trace --out "$WORK/kk-traces.jsonl" --seed 1 >/dev/null
$W kk generate --people 2..3 --count 20 --out "$WORK/kk-puzzles.jsonl" --seed 2 >/dev/null

for size in $SIZES; do
  dir="$WORK/qwen2.5-$size"
  say "Qwen2.5-$size-shaped checkpoint"
  [ -f "$dir/config.json" ] || $W init --config "qwen2.5-$size" --out "$dir" || exit 1
  params=$(node -e 'const c=require(process.argv[1]);const V=c.vocab_size,D=c.hidden_size,I=c.intermediate_size,L=c.num_hidden_layers,H=c.num_attention_heads,K=c.num_key_value_heads,hd=D/H;console.log(V*D+L*(D*H*hd+H*hd+2*(D*K*hd+K*hd)+H*hd*D+3*D*I+2*D)+D)' "$dir/config.json")
  echo "parameters: $params"
  $W plan --model "$dir" --command sft --backend webgpu --batch-size 4 --max-seq-len 512 --lora-rank 16 | tail -3

  say "generation on webgpu ($size)"
  run "gen-$size" npx tsx scripts/bench-model.ts --model "$dir" --backends webgpu --gen-batch 8 --gen-tokens 64
  grep '^|' "$WORK/gen-$size.out"
  tps=$(grep -o 'generation [0-9.]* tok/s' "$WORK/gen-$size.out" | awk '{print $2}')
  # A generated token costs ~2 FLOPs per parameter (the attention over a short context is small).
  [ -n "$tps" ] && node -e "console.log('generation: ' + (2 * $params * $tps / 1e12).toFixed(3) + ' TFLOP/s achieved (2 FLOPs/parameter/token)')"

  say "LoRA SFT, 2 steps, batch 4 x 512, on webgpu ($size)"
  rm -rf "$WORK/sft-$size"
  run "sft-$size" $W sft --model "$dir" --backend webgpu --data "$WORK/kk-traces.jsonl" --out "$WORK/sft-$size" \
    --lora-rank 16 --max-steps 2 --batch-size 4 --max-seq-len 512 --eval-fraction 0 --checkpoint-every 0 --warmup-steps 0 --lr 1e-4
  if [ -f "$WORK/sft-$size/metrics.jsonl" ]; then
    m=$(metrics "$WORK/sft-$size/metrics.jsonl" loss tokens_per_s step_s)
    echo "$m"
    tps=$(echo "$m" | grep -o 'tokens_per_s=[0-9.e+-]*' | cut -d= -f2)
    # LoRA: forward 2P + input gradients 2P per token (frozen weights get no weight gradient).
    [ -n "$tps" ] && node -e "console.log('LoRA SFT: ' + (4 * $params * $tps / 1e12).toFixed(3) + ' TFLOP/s achieved (4 FLOPs/parameter/token)')"
  fi

  say "GRPO, 1 step, 2 prompts x G=4, 128 new tokens, LoRA, on webgpu ($size)"
  rm -rf "$WORK/grpo-$size"
  run "grpo-$size" $W grpo --model "$dir" --backend webgpu --task kk --data "$WORK/kk-puzzles.jsonl" --out "$WORK/grpo-$size" \
    --lora-rank 16 --max-steps 1 --prompts-per-step 2 --num-generations 4 --max-completion-length 128 --micro-batch 8 \
    --checkpoint-every 0 --warmup-steps 0
  [ -f "$WORK/grpo-$size/metrics.jsonl" ] && metrics "$WORK/grpo-$size/metrics.jsonl" loss gen_s gen_tokens_per_s opt_s
done

say "done: outputs in $WORK"
