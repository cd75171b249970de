# Sourced by the device scripts: check_sample N L prints how many rows of an N x L benchmark the CPU
# engine checks: ~1e11 edge visits at most (half the sample is surviving rows), 20 to 200 rows.
check_sample() {
  awk -v n="$1" -v l="$2" 'BEGIN { s = int(1e11 / (n * 32 * l)); print (s > 200 ? 200 : (s < 20 ? 20 : s)) }'
}
