/* The two inner loops of re-anchoring, compiled (docs/decisions/0040-compiled-matcher.md).
 *
 * occurrences(text, pieces, limits): every occurrence of each piece in text, in one pass.
 * fits(patterns, jobs): the context fit of a pattern at every end of a window (Myers'
 * bit-parallel edit distance, Sellers' search mode, one 64-bit word).
 *
 * Both give exactly what their pure-Python counterparts in fuzzy.py give
 * (find_occurrences, PythonFits); tests/anchoring/test_native.py holds them to it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define BUCKETS 256
#define PAIRS (1 << 14) /* a pair of chars, 7 low bits of each */
#define MAX_WINDOW 256     /* jumps fit a byte */
#define SHORT_PIECE 6      /* pieces shorter than this are searched apart, so as not to shorten the jumps */

/* One piece being looked for: its chars, and how many times it was seen. */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t length, limit, found;
    Py_ssize_t next; /* the next piece of the same first-char bucket, or -1 */
} Piece;

/* The group a piece is searched in: single characters, short pieces, the rest. */
static inline int
piece_kind(Py_ssize_t length)
{
    return length == 1 ? 0 : length < SHORT_PIECE ? 1 : 2;
}

static inline unsigned
pair_key(Py_UCS4 first, Py_UCS4 second)
{
    return ((first & 0x7F) << 7) | (second & 0x7F);
}

/* Records a hit of piece k at position at; -1 on a memory error. */
static int
record(PyObject *out, Piece *pieces, Py_ssize_t k, Py_ssize_t at)
{
    Piece *piece = &pieces[k];
    piece->found++;
    if (piece->found > piece->limit) {
        /* Found too often: says nothing (as fuzzy.find_occurrences). */
        PyObject *empty = PyList_New(0);
        if (empty == NULL)
            return -1;
        return PyList_SetItem(out, k, empty);
    }
    PyObject *position = PyLong_FromSsize_t(at);
    if (position == NULL)
        return -1;
    int error = PyList_Append(PyList_GET_ITEM(out, k), position);
    Py_DECREF(position);
    return error;
}

/* One pass over the text for a group of pieces of at least two chars (Wu and Manber's
 * multi-pattern search, blocks of two chars): the window is the shortest piece's length,
 * and a pair of chars ending the window that ends no window-long start of any piece
 * lets the window jump by up to its length less one. Where it cannot jump, the pieces
 * whose first char has the low byte found at the window's start are compared in full.
 * Pieces of one char get a plain pass each. Written once for each width of str data. */
#define SCAN(NAME, TYPE)                                                                   \
    static int NAME(const TYPE *s, Py_ssize_t n, Piece *pieces, const Py_ssize_t *group,    \
                    Py_ssize_t members, PyObject *out)                                     \
    {                                                                                      \
        if (members == 0)                                                                  \
            return 0;                                                                      \
        Py_ssize_t window = PY_SSIZE_T_MAX;                                                \
        for (Py_ssize_t g = 0; g < members; g++)                                           \
            if (pieces[group[g]].length < window)                                          \
                window = pieces[group[g]].length;                                          \
        if (window == 1) {                                                                 \
            for (Py_ssize_t g = 0; g < members; g++) {                                     \
                Piece *piece = &pieces[group[g]];                                          \
                Py_UCS4 c = piece->chars[0];                                               \
                for (Py_ssize_t at = 0; at < n && piece->found <= piece->limit; at++)      \
                    if (s[at] == c && record(out, pieces, group[g], at) < 0)               \
                        return -1;                                                         \
            }                                                                              \
            return 0;                                                                      \
        }                                                                                  \
        if (window > MAX_WINDOW)                                                           \
            window = MAX_WINDOW;                                                           \
        unsigned char shift[PAIRS];                                                        \
        Py_ssize_t head[BUCKETS];                                                          \
        memset(shift, (int)(window - 1), sizeof(shift));                                   \
        for (Py_ssize_t b = 0; b < BUCKETS; b++)                                           \
            head[b] = -1;                                                                  \
        for (Py_ssize_t g = members - 1; g >= 0; g--) {                                    \
            Piece *piece = &pieces[group[g]];                                              \
            for (Py_ssize_t j = 1; j < window; j++) {                                      \
                unsigned key = pair_key(piece->chars[j - 1], piece->chars[j]);             \
                if (shift[key] > window - 1 - j)                                           \
                    shift[key] = (unsigned char)(window - 1 - j);                          \
            }                                                                              \
            Py_ssize_t bucket = piece->chars[0] & (BUCKETS - 1);                           \
            piece->next = head[bucket];                                                    \
            head[bucket] = group[g];                                                       \
        }                                                                                  \
        for (Py_ssize_t end = window - 1; end < n;) {                                      \
            unsigned jump = shift[pair_key(s[end - 1], s[end])];                           \
            if (jump) {                                                                    \
                end += jump;                                                               \
                continue;                                                                  \
            }                                                                              \
            Py_ssize_t at = end - window + 1;                                              \
            Py_UCS4 c = s[at];                                                             \
            for (Py_ssize_t k = head[c & (BUCKETS - 1)]; k >= 0; k = pieces[k].next) {     \
                const Piece *piece = &pieces[k];                                           \
                if (piece->chars[0] != c || piece->found > piece->limit ||                 \
                    at + piece->length > n)                                                \
                    continue;                                                              \
                Py_ssize_t i = 1;                                                          \
                while (i < piece->length && s[at + i] == piece->chars[i])                  \
                    i++;                                                                   \
                if (i == piece->length && record(out, pieces, k, at) < 0)                  \
                    return -1;                                                             \
            }                                                                              \
            end++;                                                                         \
        }                                                                                  \
        return 0;                                                                          \
    }

SCAN(scan_1, Py_UCS1)
SCAN(scan_2, Py_UCS2)
SCAN(scan_4, Py_UCS4)

/* occurrences(text, pieces, limits) -> list of lists.
 * For each piece (non-empty str), the ascending positions where it starts in text,
 * overlapping ones included; an empty list when it occurs more than its limit times. */
static PyObject *
occurrences(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *text, *pieces_arg, *limits_arg;
    if (!PyArg_ParseTuple(args, "UOO:occurrences", &text, &pieces_arg, &limits_arg))
        return NULL;
    PyObject *items = PySequence_Fast(pieces_arg, "pieces must be a sequence");
    if (items == NULL)
        return NULL;
    PyObject *limits = PySequence_Fast(limits_arg, "limits must be a sequence");
    if (limits == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(items);
    PyObject *out = NULL;
    Piece *pieces = NULL;
    Py_ssize_t *groups = NULL; /* piece numbers: one char, then short, then the rest */

    if (PySequence_Fast_GET_SIZE(limits) != count) {
        PyErr_SetString(PyExc_ValueError, "one limit for each piece");
        goto done;
    }
    groups = PyMem_Calloc(count ? count : 1, sizeof(Py_ssize_t));
    if (groups == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    pieces = PyMem_Calloc(count ? count : 1, sizeof(Piece));
    if (pieces == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(count);
    if (out == NULL)
        goto done;
    Py_ssize_t sizes[3] = {0, 0, 0};
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, k);
        Piece *piece = &pieces[k];
        if (!PyUnicode_Check(item) || PyUnicode_GET_LENGTH(item) == 0) {
            PyErr_SetString(PyExc_ValueError, "every piece must be a non-empty str");
            goto fail;
        }
        piece->limit = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(limits, k));
        if (piece->limit == -1 && PyErr_Occurred())
            goto fail;
        piece->chars = PyUnicode_AsUCS4Copy(item);
        if (piece->chars == NULL)
            goto fail;
        piece->length = PyUnicode_GET_LENGTH(item);
        PyObject *hits = PyList_New(0);
        if (hits == NULL)
            goto fail;
        PyList_SET_ITEM(out, k, hits);
        sizes[piece_kind(piece->length)]++;
    }
    Py_ssize_t firsts[3] = {0, sizes[0], sizes[0] + sizes[1]}, filled[3] = {0, 0, 0};
    for (Py_ssize_t k = 0; k < count; k++) {
        int kind = piece_kind(pieces[k].length);
        groups[firsts[kind] + filled[kind]++] = k;
    }
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int failed = 0;
    for (int g = 0; g < 3 && !failed; g++) {
        switch (PyUnicode_KIND(text)) {
        case PyUnicode_1BYTE_KIND:
            failed = scan_1(data, n, pieces, groups + firsts[g], sizes[g], out);
            break;
        case PyUnicode_2BYTE_KIND:
            failed = scan_2(data, n, pieces, groups + firsts[g], sizes[g], out);
            break;
        default:
            failed = scan_4(data, n, pieces, groups + firsts[g], sizes[g], out);
            break;
        }
    }
    if (!failed)
        goto done;
fail:
    Py_CLEAR(out);
done:
    if (pieces != NULL) {
        for (Py_ssize_t k = 0; k < count; k++)
            PyMem_Free(pieces[k].chars);
        PyMem_Free(pieces);
    }
    PyMem_Free(groups);
    Py_DECREF(items);
    Py_DECREF(limits);
    return out;
}

/* The match masks of one pattern: bit i set where pattern[i] is the char. Chars under
 * U+0100 by table, the others (at most 64 distinct) by a short search. */
typedef struct {
    int length;
    uint64_t low[256];
    int others;
    Py_UCS4 other_char[64];
    uint64_t other_mask[64];
} Pattern;

static int
pattern_init(Pattern *p, PyObject *pattern)
{
    Py_ssize_t m = PyUnicode_GET_LENGTH(pattern);
    if (m < 1 || m > 64) {
        PyErr_SetString(PyExc_ValueError, "patterns must have 1 to 64 code points");
        return -1;
    }
    int kind = PyUnicode_KIND(pattern);
    const void *data = PyUnicode_DATA(pattern);
    memset(p, 0, sizeof(*p));
    p->length = (int)m;
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        uint64_t bit = (uint64_t)1 << i;
        if (c < 256) {
            p->low[c] |= bit;
            continue;
        }
        int j = 0;
        while (j < p->others && p->other_char[j] != c)
            j++;
        if (j == p->others) {
            p->other_char[j] = c;
            p->others++;
        }
        p->other_mask[j] |= bit;
    }
    return 0;
}

static inline uint64_t
pattern_eq(const Pattern *p, Py_UCS4 c)
{
    if (c < 256)
        return p->low[c];
    for (int j = 0; j < p->others; j++)
        if (p->other_char[j] == c)
            return p->other_mask[j];
    return 0;
}

/* fits(patterns, jobs) -> list of lists. For each job (pattern number, window, lead):
 * [m - d for d in distances_ending_at(pattern, window)[lead:]], m the pattern's length. */
static PyObject *
fits(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *patterns_arg, *jobs_arg;
    if (!PyArg_ParseTuple(args, "OO:fits", &patterns_arg, &jobs_arg))
        return NULL;
    PyObject *patterns = PySequence_Fast(patterns_arg, "patterns must be a sequence");
    if (patterns == NULL)
        return NULL;
    PyObject *jobs = PySequence_Fast(jobs_arg, "jobs must be a sequence");
    if (jobs == NULL) {
        Py_DECREF(patterns);
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(patterns);
    Py_ssize_t job_count = PySequence_Fast_GET_SIZE(jobs);
    PyObject *out = NULL;
    Pattern *compiled = PyMem_Malloc((count ? count : 1) * sizeof(Pattern));
    if (compiled == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *pattern = PySequence_Fast_GET_ITEM(patterns, k);
        if (!PyUnicode_Check(pattern)) {
            PyErr_SetString(PyExc_TypeError, "patterns must be str");
            goto done;
        }
        if (pattern_init(&compiled[k], pattern) < 0)
            goto done;
    }
    out = PyList_New(job_count);
    if (out == NULL)
        goto done;
    for (Py_ssize_t job = 0; job < job_count; job++) {
        Py_ssize_t number, lead;
        PyObject *window;
        PyObject *item = PySequence_Fast_GET_ITEM(jobs, job);
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "nUn:fits job", &number, &window, &lead)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a job is (pattern number, window, lead)");
            goto fail;
        }
        Py_ssize_t size = PyUnicode_GET_LENGTH(window);
        if (number < 0 || number >= count || lead < 0 || lead > size) {
            PyErr_SetString(PyExc_ValueError, "a job's pattern number or lead is out of range");
            goto fail;
        }
        const Pattern *p = &compiled[number];
        int kind = PyUnicode_KIND(window);
        const void *data = PyUnicode_DATA(window);
        int m = p->length;
        uint64_t mask = m == 64 ? ~(uint64_t)0 : (((uint64_t)1 << m) - 1);
        uint64_t high = (uint64_t)1 << (m - 1);
        uint64_t pv = mask, mv = 0;
        long score = m;
        PyObject *row = PyList_New(size - lead + 1);
        if (row == NULL)
            goto fail;
        PyList_SET_ITEM(out, job, row);
        Py_ssize_t filled = 0;
        if (lead == 0) {
            PyObject *value = PyLong_FromLong(m - score);
            if (value == NULL)
                goto fail;
            PyList_SET_ITEM(row, filled++, value);
        }
        for (Py_ssize_t j = 0; j < size; j++) {
            uint64_t eq = pattern_eq(p, PyUnicode_READ(kind, data, j));
            uint64_t xv = eq | mv;
            uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
            uint64_t ph = mv | (~(xh | pv) & mask);
            uint64_t mh = pv & xh;
            if (ph & high)
                score++;
            else if (mh & high)
                score--;
            ph = (ph << 1) & mask;
            mh = (mh << 1) & mask;
            pv = mh | (~(xv | ph) & mask);
            mv = ph & xv;
            if (j + 1 >= lead) {
                PyObject *value = PyLong_FromLong(m - score);
                if (value == NULL)
                    goto fail;
                PyList_SET_ITEM(row, filled++, value);
            }
        }
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(compiled);
    Py_DECREF(patterns);
    Py_DECREF(jobs);
    return out;
}

static PyMethodDef methods[] = {
    {"occurrences", occurrences, METH_VARARGS,
     "occurrences(text, pieces, limits): each piece's positions in text, or [] past its limit."},
    {"fits", fits, METH_VARARGS,
     "fits(patterns, jobs): for each (pattern number, window, lead), the pattern's fit at each end."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "corrigo.anchoring._native",
    "Re-anchoring's inner loops, compiled (see corrigo.anchoring.fuzzy).", -1, methods,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    return PyModule_Create(&module);
}
