/*
 * Inkling's optional native accelerator: single-precision matrix products (and column sums) computed in place on
 * the tfjs wasm heap by a system BLAS. The BLAS is opened at run time with dlopen, so building needs only a C
 * compiler and Node's headers, and the addon loads (and reports what is missing) on machines without a BLAS.
 * Offsets are byte offsets into the heap ArrayBuffer; every access is bounds-checked before any BLAS call.
 */
#include <dlfcn.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*get_config_fn)(void);

static sgemm_fn sgemm;
static sgemv_fn sgemv;
static set_threads_fn set_threads;
static get_config_fn get_config;

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "inkling_blas: N-API call failed");    \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value js_string(napi_env env, const char *s) {
  napi_value v;
  return napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v) == napi_ok ? v : NULL;
}

/* open(paths: string[]): the first path whose library has cblas_sgemm, or null. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  uint32_t n = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_array_length(env, argv[0], &n));
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    char path[1024];
    size_t len = 0;
    CHECK(env, napi_get_element(env, argv[0], i, &item));
    CHECK(env, napi_get_value_string_utf8(env, item, path, sizeof path, &len));
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) continue;
    sgemm_fn gemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    sgemv_fn gemv = (sgemv_fn)dlsym(lib, "cblas_sgemv");
    if (!gemm || !gemv) {
      dlclose(lib);
      continue;
    }
    sgemm = gemm;
    sgemv = gemv;
    set_threads = (set_threads_fn)dlsym(lib, "openblas_set_num_threads");
    get_config = (get_config_fn)dlsym(lib, "openblas_get_config");
    return js_string(env, path);
  }
  CHECK(env, napi_get_null(env, &result));
  return result;
}

/* config(): OpenBLAS's build description, or "" for other BLAS libraries. */
static napi_value js_config(napi_env env, napi_callback_info info) {
  (void)info;
  return js_string(env, get_config ? get_config() : "");
}

/* setThreads(n): true when the library lets us choose (OpenBLAS). */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t threads = 1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(env, napi_get_value_int32(env, argv[0], &threads));
  if (set_threads && threads > 0) set_threads(threads);
  CHECK(env, napi_get_boolean(env, set_threads != NULL, &result));
  return result;
}

static int get_heap(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  void *ptr = NULL;
  if (napi_get_arraybuffer_info(env, value, &ptr, length) != napi_ok) return 0;
  *data = (uint8_t *)ptr;
  return 1;
}

static int get_offsets(napi_env env, napi_value value, uint32_t **data, size_t *count) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void *ptr = NULL;
  if (napi_get_typedarray_info(env, value, &type, count, &ptr, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint32_array) return 0;
  *data = (uint32_t *)ptr;
  return 1;
}

static int fits(uint64_t offset, uint64_t floats, size_t length) {
  return offset % 4 == 0 && offset + floats * 4 <= length;
}

/*
 * gemm(heap, transA, transB, m, n, k, aOffsets, bOffsets, cOffsets): for each i,
 * C_i[m x n] = op(A_i) op(B_i), row-major, with A_i, B_i, C_i at the given byte offsets.
 */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  uint8_t *heap;
  size_t length, na, nb, nc;
  bool ta, tb;
  int32_t m, n, k;
  uint32_t *ao, *bo, *co;
  if (!sgemm) return fail(env, "inkling_blas: no BLAS opened");
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9 || !get_heap(env, argv[0], &heap, &length)) return fail(env, "inkling_blas.gemm: bad heap");
  CHECK(env, napi_get_value_bool(env, argv[1], &ta));
  CHECK(env, napi_get_value_bool(env, argv[2], &tb));
  CHECK(env, napi_get_value_int32(env, argv[3], &m));
  CHECK(env, napi_get_value_int32(env, argv[4], &n));
  CHECK(env, napi_get_value_int32(env, argv[5], &k));
  if (!get_offsets(env, argv[6], &ao, &na) || !get_offsets(env, argv[7], &bo, &nb) || !get_offsets(env, argv[8], &co, &nc) ||
      na != nb || na != nc || m <= 0 || n <= 0 || k <= 0)
    return fail(env, "inkling_blas.gemm: bad arguments");
  for (size_t i = 0; i < na; i++) {
    if (!fits(ao[i], (uint64_t)m * k, length) || !fits(bo[i], (uint64_t)k * n, length) || !fits(co[i], (uint64_t)m * n, length))
      return fail(env, "inkling_blas.gemm: operand outside the heap");
  }
  for (size_t i = 0; i < na; i++) {
    if (m == 1) {
      /* One row (every decoded token): sgemv, since OpenBLAS's sgemm has a large fixed cost for a vector. */
      const float *x = (const float *)(heap + ao[i]), *b = (const float *)(heap + bo[i]);
      float *y = (float *)(heap + co[i]);
      if (tb) sgemv(ROW_MAJOR, NO_TRANS, n, k, 1.0f, b, k, x, 1, 0.0f, y, 1);
      else sgemv(ROW_MAJOR, TRANS, k, n, 1.0f, b, n, x, 1, 0.0f, y, 1);
      continue;
    }
    sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0f, (const float *)(heap + ao[i]), ta ? m : k,
          (const float *)(heap + bo[i]), tb ? k : n, 0.0f, (float *)(heap + co[i]), n);
  }
  return NULL;
}

/* columnSums(heap, rows, cols, aOffset, yOffset): y[cols] = sum over the rows of A[rows x cols]. */
static napi_value js_column_sums(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  uint8_t *heap;
  size_t length;
  int32_t rows, cols;
  uint32_t a_off, y_off;
  if (!sgemv) return fail(env, "inkling_blas: no BLAS opened");
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5 || !get_heap(env, argv[0], &heap, &length)) return fail(env, "inkling_blas.columnSums: bad heap");
  CHECK(env, napi_get_value_int32(env, argv[1], &rows));
  CHECK(env, napi_get_value_int32(env, argv[2], &cols));
  CHECK(env, napi_get_value_uint32(env, argv[3], &a_off));
  CHECK(env, napi_get_value_uint32(env, argv[4], &y_off));
  if (rows <= 0 || cols <= 0 || !fits(a_off, (uint64_t)rows * cols, length) || !fits(y_off, (uint64_t)cols, length))
    return fail(env, "inkling_blas.columnSums: operand outside the heap");
  float *ones = malloc(sizeof(float) * (size_t)rows);
  if (!ones) return fail(env, "inkling_blas.columnSums: out of memory");
  for (int32_t i = 0; i < rows; i++) ones[i] = 1.0f;
  sgemv(ROW_MAJOR, TRANS, rows, cols, 1.0f, (const float *)(heap + a_off), cols, ones, 1, 0.0f, (float *)(heap + y_off), 1);
  free(ones);
  return NULL;
}


/*
 * Symmetric int8 weights, one scale per output row: y[j] = scale[j] * dot(x, w[j, :]). Decoding is bound by
 * reading the weights, so reading a quarter of the bytes is the point. The dot product keeps 8 partial sums so
 * the compiler vectorises it (the reassociation is ours to choose; it matches the plain reference to ~1e-6).
 */
static void q8_rows_plain(const float *x, const int8_t *w, const float *scale, float *y, int32_t n, int32_t k) {
  for (int32_t j = 0; j < n; j++) {
    const int8_t *row = w + (size_t)j * k;
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t i = 0;
    for (; i + 8 <= k; i += 8)
      for (int l = 0; l < 8; l++) acc[l] += x[i + l] * (float)row[i + l];
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < k; i++) sum += x[i] * (float)row[i];
    y[j] = sum * scale[j];
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* AVX2: 16 weights a step, widened int8 -> int32 -> float and fused into two accumulators. */
__attribute__((target("avx2,fma"))) static void q8_rows_avx2(const float *x, const int8_t *w, const float *scale, float *y, int32_t n, int32_t k) {
  for (int32_t j = 0; j < n; j++) {
    const int8_t *row = w + (size_t)j * k;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int32_t i = 0;
    for (; i + 16 <= k; i += 16) {
      __m128i bytes = _mm_loadu_si128((const __m128i *)(row + i));
      __m256 w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
      __m256 w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8)));
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), w0, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), w1, a1);
    }
    __m256 a = _mm256_add_ps(a0, a1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float sum = _mm_cvtss_f32(h);
    for (; i < k; i++) sum += x[i] * (float)row[i];
    y[j] = sum * scale[j];
  }
}
#endif

static void q8_rows(const float *x, const int8_t *w, const float *scale, float *y, int32_t n, int32_t k) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    q8_rows_avx2(x, w, scale, y, n, k);
    return;
  }
#endif
  q8_rows_plain(x, w, scale, y, n, k);
}

/* Rows of w dequantised per block, so a prompt of m > 1 tokens goes through sgemm without a float copy of w. */
enum { Q8_BLOCK = 64 };

/*
 * q8matmul(heap, m, n, k, xOffset, wOffset, scaleOffset, yOffset): Y[m x n] = X[m x k] dequant(W)^T, with W int8
 * [n x k] row-major and scale float [n].
 */
static napi_value js_q8_matmul(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  uint8_t *heap;
  size_t length;
  int32_t m, n, k;
  uint32_t x_off, w_off, s_off, y_off;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8 || !get_heap(env, argv[0], &heap, &length)) return fail(env, "inkling_blas.q8matmul: bad heap");
  CHECK(env, napi_get_value_int32(env, argv[1], &m));
  CHECK(env, napi_get_value_int32(env, argv[2], &n));
  CHECK(env, napi_get_value_int32(env, argv[3], &k));
  CHECK(env, napi_get_value_uint32(env, argv[4], &x_off));
  CHECK(env, napi_get_value_uint32(env, argv[5], &w_off));
  CHECK(env, napi_get_value_uint32(env, argv[6], &s_off));
  CHECK(env, napi_get_value_uint32(env, argv[7], &y_off));
  if (m <= 0 || n <= 0 || k <= 0 || !fits(x_off, (uint64_t)m * k, length) || (uint64_t)w_off + (uint64_t)n * k > length ||
      !fits(s_off, (uint64_t)n, length) || !fits(y_off, (uint64_t)m * n, length))
    return fail(env, "inkling_blas.q8matmul: operand outside the heap");
  const float *x = (const float *)(heap + x_off), *scale = (const float *)(heap + s_off);
  const int8_t *w = (const int8_t *)(heap + w_off);
  float *y = (float *)(heap + y_off);
  if (m == 1 || !sgemm) {
    for (int32_t r = 0; r < m; r++) q8_rows(x + (size_t)r * k, w, scale, y + (size_t)r * n, n, k);
    return NULL;
  }
  float *block = malloc(sizeof(float) * (size_t)Q8_BLOCK * k);
  if (!block) return fail(env, "inkling_blas.q8matmul: out of memory");
  for (int32_t j0 = 0; j0 < n; j0 += Q8_BLOCK) {
    int32_t rows = n - j0 < Q8_BLOCK ? n - j0 : Q8_BLOCK;
    for (int32_t j = 0; j < rows; j++)
      for (int32_t i = 0; i < k; i++) block[(size_t)j * k + i] = (float)w[(size_t)(j0 + j) * k + i] * scale[j0 + j];
    /* Y[:, j0:j0+rows] = X block^T, written with leading dimension n */
    sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, rows, k, 1.0f, x, k, block, k, 0.0f, y + j0, n);
  }
  free(block);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, js_config, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"columnSums", NULL, js_column_sums, NULL, NULL, NULL, napi_default, NULL},
      {"q8matmul", NULL, js_q8_matmul, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
