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

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, js_config, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"columnSums", NULL, js_column_sums, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
