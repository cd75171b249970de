// The CPU peer of `npm run bench:cpu`: sparse DNN inference with SuiteSparse:GraphBLAS.
//
// Per layer, the standard GraphBLAS formulation (LAGraph_dnn, after Kepner's inferenceReLUvec.m):
//   Y = Y * W_l            (GrB_mxm, PLUS_TIMES over FP32)
//   Y = Y + bias           (on the nonzeros only: GrB_apply with PLUS and the scalar bias)
//   Y = select(Y > 0)      (GrB_select, VALUEGT)
//   Y = min(Y, 32)         (GrB_apply with MIN)
// LAGraph adds the bias with a MIN_PLUS mxm against a diagonal matrix; the challenge's bias is one
// scalar per layer, so a scalar apply does the same work without the extra matrix product.
//
// Reads the official layout (`<dir>/n<N>-l<k>.tsv` or `.tsv.gz`, lines `i<TAB>j<TAB>w`, 1-based)
// and the sparse images (`row<TAB>col<TAB>value`, plain or gzipped; zlib reads both). Times the
// inference only (the layers plus the row reduction that gives the categories) and prints one JSON
// object: {"engine","version","threads","rows","repeat","layers","neurons","nnz","seconds" (median),
// "bestSeconds","edgesPerSecond" (at the median),"categories"}.
//
// usage: graphblas_dnn --model DIR --neurons N --layers L --bias B --input FILE
//                      [--rows R] [--threads T] [--repeat K] [--categories OUT]
// --repeat K runs the inference K times from the same inputs and reports the median and best time.
#include <GraphBLAS.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CLAMP 32.0f

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fprintf(stderr, "graphblas_dnn: ");
  vfprintf(stderr, fmt, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(1);
}

#define CHECK(call)                                                                \
  do {                                                                             \
    GrB_Info info_ = (call);                                                       \
    if (info_ != GrB_SUCCESS) fail("%s failed (GrB_Info %d)", #call, (int)info_); \
  } while (0)

// Growable (i, j, w) triplets, 0-based.
typedef struct {
  GrB_Index *i, *j;
  float* w;
  size_t count, capacity;
} Triplets;

static void triplets_push(Triplets* t, GrB_Index i, GrB_Index j, float w) {
  if (t->count == t->capacity) {
    t->capacity = t->capacity ? 2 * t->capacity : 65536;
    t->i = realloc(t->i, t->capacity * sizeof *t->i);
    t->j = realloc(t->j, t->capacity * sizeof *t->j);
    t->w = realloc(t->w, t->capacity * sizeof *t->w);
    if (!t->i || !t->j || !t->w) fail("out of memory at %zu triplets", t->capacity);
  }
  t->i[t->count] = i;
  t->j[t->count] = j;
  t->w[t->count] = w;
  t->count++;
}

static void triplets_free(Triplets* t) {
  free(t->i);
  free(t->j);
  free(t->w);
  memset(t, 0, sizeof *t);
}

static unsigned long parse_index(char** p, const char* path, long line, unsigned long max) {
  char* end;
  errno = 0;
  unsigned long v = strtoul(*p, &end, 10);
  if (end == *p || errno || v == 0 || v > max || (*end != '\t' && *end != ' ')) {
    fail("%s:%ld: expected an index between 1 and %lu", path, line, max);
  }
  *p = end + 1;
  return v;
}

// Reads a `i<TAB>j<TAB>w` file (plain or gzipped) into 0-based triplets. max_i == 0: no row bound
// (the row count is then the largest row index seen, returned through *max_row).
static void read_tsv(const char* path, unsigned long max_i, unsigned long max_j, Triplets* out,
                     unsigned long* max_row) {
  gzFile f = gzopen(path, "rb");
  if (!f) fail("%s: cannot open (%s)", path, strerror(errno));
  gzbuffer(f, 1 << 20);
  char buf[256];
  long line = 0;
  unsigned long rows = 0;
  while (gzgets(f, buf, sizeof buf)) {
    line++;
    if (buf[0] == '\n' || buf[0] == '\0') continue;
    char* p = buf;
    unsigned long i = parse_index(&p, path, line, max_i ? max_i : (unsigned long)-1);
    unsigned long j = parse_index(&p, path, line, max_j);
    char* end;
    float w = strtof(p, &end);
    if (end == p || (*end != '\n' && *end != '\r' && *end != '\0')) {
      fail("%s:%ld: expected a numeric value in the third field", path, line);
    }
    if (i > rows) rows = i;
    triplets_push(out, i - 1, j - 1, w);
  }
  int err;
  const char* message = gzerror(f, &err);
  if (err != Z_OK && err != Z_STREAM_END) fail("%s: read error after line %ld (%s)", path, line, message);
  gzclose(f);
  if (out->count == 0) fail("%s: empty file", path);
  if (max_row) *max_row = rows;
}

static GrB_Matrix build_matrix(const Triplets* t, GrB_Index rows, GrB_Index cols, const char* path) {
  GrB_Matrix m;
  CHECK(GrB_Matrix_new(&m, GrB_FP32, rows, cols));
  // No dup operator: duplicate entries are an error, as in the official format.
  GrB_Info info = GrB_Matrix_build_FP32(m, t->i, t->j, t->w, t->count, NULL);
  if (info != GrB_SUCCESS) fail("%s: cannot build the matrix (GrB_Info %d: duplicate entries?)", path, (int)info);
  CHECK(GrB_Matrix_wait(m, GrB_MATERIALIZE));
  return m;
}

// The layer file `<dir>/n<N>-l<k>.tsv`, or `.tsv.gz` when only that exists.
static void layer_path(char* out, size_t size, const char* dir, unsigned long n, int k) {
  snprintf(out, size, "%s/n%lu-l%d.tsv", dir, n, k);
  FILE* f = fopen(out, "rb");
  if (f) {
    fclose(f);
    return;
  }
  snprintf(out, size, "%s/n%lu-l%d.tsv.gz", dir, n, k);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Writes the 1-based categories atomically (temp file, flushed to the disk, then renamed).
static void write_categories(const char* path, const GrB_Index* rows, GrB_Index count) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  FILE* f = fopen(tmp, "w");
  if (!f) fail("%s: cannot write (%s)", tmp, strerror(errno));
  for (GrB_Index k = 0; k < count; k++) fprintf(f, "%llu\n", (unsigned long long)rows[k] + 1);
  const int synced = fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (fclose(f) != 0 || !synced || rename(tmp, path) != 0) fail("%s: cannot write (%s)", path, strerror(errno));
}

typedef struct {
  const char *model, *input, *categories;
  unsigned long neurons, rows;
  int layers, threads, repeat;
  float bias;
  int has_bias;
} Options;

static Options parse_options(int argc, char** argv) {
  Options o = {0};
  o.repeat = 1;
  for (int a = 1; a < argc; a++) {
    const char* key = argv[a];
    if (a + 1 >= argc) fail("option %s needs a value", key);
    const char* value = argv[++a];
    if (!strcmp(key, "--model")) o.model = value;
    else if (!strcmp(key, "--input")) o.input = value;
    else if (!strcmp(key, "--categories")) o.categories = value;
    else if (!strcmp(key, "--neurons")) o.neurons = strtoul(value, NULL, 10);
    else if (!strcmp(key, "--rows")) o.rows = strtoul(value, NULL, 10);
    else if (!strcmp(key, "--layers")) o.layers = atoi(value);
    else if (!strcmp(key, "--threads")) o.threads = atoi(value);
    else if (!strcmp(key, "--repeat")) o.repeat = atoi(value);
    else if (!strcmp(key, "--bias")) o.bias = strtof(value, NULL), o.has_bias = 1;
    else fail("unknown option %s", key);
  }
  if (!o.model || !o.input || !o.neurons || o.layers <= 0 || !o.has_bias || o.repeat <= 0) {
    fail("usage: graphblas_dnn --model DIR --neurons N --layers L --bias B --input FILE [--rows R] "
         "[--threads T] [--repeat K] [--categories OUT]");
  }
  return o;
}

// One inference from the input rows y0; returns its seconds. `live` receives the row sums of the
// final Y and *count its entry count: every stored entry is > 0, so rows with an entry are the
// categories.
static double infer(GrB_Matrix y0, const GrB_Matrix* w, const Options* o, GrB_Vector live,
                    GrB_Index* count) {
  GrB_Matrix y;
  CHECK(GrB_Matrix_dup(&y, y0));
  double start = now();
  for (int k = 0; k < o->layers; k++) {
    CHECK(GrB_mxm(y, NULL, NULL, GrB_PLUS_TIMES_SEMIRING_FP32, y, w[k], NULL));
    CHECK(GrB_Matrix_apply_BinaryOp2nd_FP32(y, NULL, NULL, GrB_PLUS_FP32, y, o->bias, NULL));
    CHECK(GrB_Matrix_select_FP32(y, NULL, NULL, GrB_VALUEGT_FP32, y, 0.0f, NULL));
    CHECK(GrB_Matrix_apply_BinaryOp2nd_FP32(y, NULL, NULL, GrB_MIN_FP32, y, CLAMP, NULL));
  }
  CHECK(GrB_Matrix_reduce_Monoid(live, NULL, NULL, GrB_PLUS_MONOID_FP32, y, NULL));
  CHECK(GrB_Vector_nvals(count, live));
  double seconds = now() - start;
  CHECK(GrB_free(&y));
  return seconds;
}

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  CHECK(GrB_init(GrB_NONBLOCKING));
  if (o.threads > 0) CHECK(GxB_Global_Option_set(GxB_NTHREADS, o.threads));
  int threads;
  CHECK(GxB_Global_Option_get(GxB_NTHREADS, &threads));

  GrB_Matrix* w = calloc(o.layers, sizeof *w);
  GrB_Index nnz = 0;
  for (int k = 0; k < o.layers; k++) {
    char path[4096];
    layer_path(path, sizeof path, o.model, o.neurons, k + 1);
    Triplets t = {0};
    read_tsv(path, o.neurons, o.neurons, &t, NULL);
    w[k] = build_matrix(&t, o.neurons, o.neurons, path);
    nnz += t.count;
    triplets_free(&t);
  }

  Triplets images = {0};
  unsigned long max_row;
  read_tsv(o.input, o.rows, o.neurons, &images, &max_row);
  GrB_Index rows = o.rows ? o.rows : max_row;
  GrB_Matrix y0 = build_matrix(&images, rows, o.neurons, o.input);
  triplets_free(&images);

  GrB_Vector live;
  CHECK(GrB_Vector_new(&live, GrB_FP32, rows));
  double* seconds = calloc(o.repeat, sizeof *seconds);
  GrB_Index count = 0;
  for (int r = 0; r < o.repeat; r++) seconds[r] = infer(y0, w, &o, live, &count);
  qsort(seconds, o.repeat, sizeof *seconds, compare_doubles);
  int mid = o.repeat / 2;
  double median = o.repeat % 2 ? seconds[mid] : (seconds[mid - 1] + seconds[mid]) / 2;

  if (o.categories) {
    GrB_Index* index = malloc((count + 1) * sizeof *index);
    float* sums = malloc((count + 1) * sizeof *sums);
    GrB_Index got = count;
    CHECK(GrB_Vector_extractTuples_FP32(index, sums, &got, live));
    write_categories(o.categories, index, got);  // GraphBLAS returns them in ascending order
    free(index);
    free(sums);
  }

  double edges = (double)rows * (double)nnz;
  printf("{\"engine\":\"graphblas\",\"version\":\"%d.%d.%d\",\"threads\":%d,\"rows\":%llu,"
         "\"repeat\":%d,\"layers\":%d,\"neurons\":%lu,\"nnz\":%llu,\"seconds\":%.6f,"
         "\"bestSeconds\":%.6f,\"edgesPerSecond\":%.6e,\"categories\":%llu}\n",
         GxB_IMPLEMENTATION_MAJOR, GxB_IMPLEMENTATION_MINOR, GxB_IMPLEMENTATION_SUB, threads,
         (unsigned long long)rows, o.repeat, o.layers, o.neurons, (unsigned long long)nnz, median,
         seconds[0], edges / median, (unsigned long long)count);

  GrB_free(&live);
  GrB_free(&y0);
  free(seconds);
  for (int k = 0; k < o.layers; k++) GrB_free(&w[k]);
  free(w);
  GrB_finalize();
  return 0;
}
