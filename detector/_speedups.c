/*
 * mynumber's optional C speed-ups. Every function here has a pure-Python path that gives the same result
 * (the tests run both); the package works without this module, only more slowly.
 *
 * ascii_hits: the candidates of ASCII text in one pass. Where the hyperscan prefilter reports every place a
 * 12-digit pattern might end, calls back into Python for each (37,000 calls in a 65 MB log dense with IDs),
 * and leaves the check digit, the "glued to a longer number" test and the line numbers to Python, this pass
 * builds 64-bit masks of digits, separators, '+' and newlines for each 64 bytes (see the mask builders below),
 * finds the starts of exactly twelve digits or of 4-4-4 groups from those masks, and checks the
 * few it finds. It returns only the hits that are candidates, each with the number of newlines before it.
 *
 * multibyte_hits: the same for UTF-8, CP932 and EUC-JP text with half- and full-width digits and separators.
 * Masks find where runs of digits may start (only those of four digits or more, by shifts of the masks), and
 * count most runs from the bytes they cover and the first byte of each of their digits, without a walk; only
 * runs of exactly twelve digits, or of four followed by a separator and another four digits and the same
 * separator, are looked at further. CP932 and EUC-JP are read as Python's codecs read them (tables built from
 * the codecs), from the last byte that can only end a character, so a full-width digit is one only where the
 * decoder sees one.
 *
 * Both passes take their masks from a mask builder: the portable one (SSE2 on x86-64) or, where the CPU has them,
 * AVX2 or AVX-512BW twins, compiled for those targets function by function and chosen at run time
 * (mask_builders, use_mask_builder), so the module built for any x86-64 uses the widest the CPU runs; the tests
 * hold every builder to the same results.
 *
 * multibyte_quick: for each contiguous candidate of either pass, whether a My Number keyword may be within the
 * context scorer's reach, from tables of what each character may give once normalised (a set of the keywords'
 * characters a character); the others' offsets, digits and lines, for candidates only counted.
 *
 * list_names, stat_names: a folder's entries, and its files' identities, for the walk: one call a folder (or a
 * chunk of its files) instead of a DirEntry and a stat result per file, without holding the GIL, so a second
 * thread can stat at the same time. filesystem_type: whether a folder's modification time can stand for its
 * listing (local file systems only).
 *
 * could_hold_spans: where a candidate could be in a str (detector.mynumber.could_hold), for a table's rows.
 *
 * keep_freed_memory: glibc's heap thresholds for a process that reads files block by block (detector/__main__.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* AVX2 and AVX-512BW mask builders, compiled for those targets function by function and chosen at run time (see
 * "Mask builders" below): the module itself is built for any x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
#include <immintrin.h>
#define WIDE_SIMD 1
#endif

typedef unsigned __int128 u128;

/* Left-to-right weights of the first 11 digits (Q_n with n counted from the right). */
static const int WEIGHTS[11] = {6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

static inline int is_digit(unsigned char c) { return (unsigned char)(c - '0') < 10; }

/* The check digit of 12 ASCII digits at the given positions of p. */
static int check_passes(const unsigned char *p, const int *positions) {
    int sum = 0;
    for (int i = 0; i < 11; i++) sum += (p[positions[i]] - '0') * WEIGHTS[i];
    int r = sum % 11;
    int expected = r <= 1 ? 0 : 11 - r;
    return p[positions[11]] - '0' == expected;
}

static const int CONTIGUOUS_DIGITS[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const int GROUPED_DIGITS[12] = {0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13};

static inline int popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

/* The 64 bytes at p, of which n are valid: p itself, or the n bytes copied into ``buffer`` with zeros after them
 * (a zero byte is none of the classes the masks look for). */
static const unsigned char *block64(const unsigned char *p, Py_ssize_t n, unsigned char buffer[64]) {
    if (n >= 64) return p;
    memset(buffer, 0, 64);
    if (n > 0) memcpy(buffer, p, (size_t)n);
    return buffer;
}

typedef struct {
    uint64_t digit, sep, plus, newline;
} Masks;

enum { MAX_SEPARATORS = 16 };

/* Masks of 64 bytes at p (n of them valid; the rest count as none of the classes): the portable builder, SSE2
 * where the compiler has it (every x86-64), else byte by byte. */
static inline __attribute__((always_inline)) void masks_of(const unsigned char *p, Py_ssize_t n,
                                                            const unsigned char *seps, int nseps, Masks *m) {
    unsigned char buffer[64];
    p = block64(p, n, buffer);
#if defined(__SSE2__)
    uint64_t digit = 0, sep = 0, plus = 0, newline = 0;
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    const __m128i plus_byte = _mm_set1_epi8('+'), newline_byte = _mm_set1_epi8('\n');
    for (int lane = 0; lane < 4; lane++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * lane));
        __m128i t = _mm_sub_epi8(x, zero);
        __m128i is_d = _mm_cmpeq_epi8(_mm_max_epu8(t, nine), nine);
        __m128i is_s = _mm_setzero_si128();
        for (int s = 0; s < nseps; s++) is_s = _mm_or_si128(is_s, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)seps[s])));
        int shift = 16 * lane;
        digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_d) << shift;
        sep |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_s) << shift;
        plus |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, plus_byte)) << shift;
        newline |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, newline_byte)) << shift;
    }
    m->digit = digit, m->sep = sep, m->plus = plus, m->newline = newline;
#else
    uint64_t digit = 0, sep = 0, plus = 0, newline = 0;
    for (int i = 0; i < 64; i++) {
        unsigned char c = p[i];
        uint64_t bit = 1ULL << i;
        if (is_digit(c)) digit |= bit;
        for (int s = 0; s < nseps; s++)
            if (c == seps[s]) sep |= bit;
        if (c == '+') plus |= bit;
        if (c == '\n') newline |= bit;
    }
    m->digit = digit, m->sep = sep, m->plus = plus, m->newline = newline;
#endif
}

/* The masks of ``count`` blocks of 64 bytes from block ``first`` of d (size bytes; blocks past the end are
 * empty), into ``out``: the portable builder. */
static void ascii_masks_portable(const unsigned char *d, Py_ssize_t size, Py_ssize_t first, int count,
                                 const unsigned char *seps, int nseps, Masks *out) {
    for (int b = 0; b < count; b++) {
        Py_ssize_t at = 64 * (first + b);
        masks_of(d + (at < size ? at : size), size - at, seps, nseps, &out[b]);
    }
}

/* Masks of where a digit may start in 64 bytes at p (n valid): ``digit``, an ASCII digit; ``wide``, the first
 * byte of what reads as a full-width digit when the bytes are taken from there (UTF-8 EF BC 90..99, ``utf8``; else
 * ``lead`` and a second byte ``low``..``high``: CP932 82 4F..58, EUC-JP A3 B0..B9), a superset of the digits of
 * the text. Each 16 bytes are compared with themselves and the bytes one and two further on (loads at p + 1 and
 * p + 2), so a full-width digit is one mask bit, not three masks joined afterwards; the block is copied with zeros
 * after it when fewer than 66 bytes are there to read. */
typedef struct {
    uint64_t digit, wide;
} DigitMasks;

enum { DIGIT_BLOCK_READ = 66, DIGIT_BLOCK_BUFFER = 80 };

static inline __attribute__((always_inline)) void digit_masks_of(const unsigned char *p, Py_ssize_t n, int utf8,
                                                                  unsigned char lead, unsigned char low,
                                                                  unsigned char high, DigitMasks *m) {
    unsigned char buffer[DIGIT_BLOCK_BUFFER];
    if (n < DIGIT_BLOCK_READ) {
        memset(buffer, 0, sizeof buffer);
        if (n > 0) memcpy(buffer, p, (size_t)n);
        p = buffer;
    }
    uint64_t digit = 0, wide = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    const __m128i lead_byte = _mm_set1_epi8((char)(utf8 ? 0xEF : lead));
    const __m128i second_byte = _mm_set1_epi8((char)0xBC);
    const __m128i low_byte = _mm_set1_epi8((char)(utf8 ? 0x90 : low));
    const __m128i span = _mm_set1_epi8((char)(utf8 ? 9 : high - low));
    for (int lane = 0; lane < 4; lane++) {
        const unsigned char *at = p + 16 * lane;
        __m128i x0 = _mm_loadu_si128((const __m128i *)at), x1 = _mm_loadu_si128((const __m128i *)(at + 1));
        __m128i is_d = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(x0, zero), nine), nine);
        __m128i is_w;
        if (utf8) {
            __m128i x2 = _mm_loadu_si128((const __m128i *)(at + 2));
            __m128i in_range = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(x2, low_byte), span), span);
            is_w = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(x0, lead_byte), _mm_cmpeq_epi8(x1, second_byte)),
                                 in_range);
        } else {
            __m128i in_range = _mm_cmpeq_epi8(_mm_max_epu8(_mm_sub_epi8(x1, low_byte), span), span);
            is_w = _mm_and_si128(_mm_cmpeq_epi8(x0, lead_byte), in_range);
        }
        int shift = 16 * lane;
        digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_d) << shift;
        wide |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_w) << shift;
    }
#else
    for (int i = 0; i < 64; i++) {
        const unsigned char *at = p + i;
        uint64_t bit = 1ULL << i;
        if (is_digit(at[0])) digit |= bit;
        if (utf8 ? at[0] == 0xEF && at[1] == 0xBC && (unsigned char)(at[2] - 0x90) <= 9
                 : at[0] == lead && (unsigned char)(at[1] - low) <= (unsigned char)(high - low))
            wide |= bit;
    }
#endif
    m->digit = digit, m->wide = wide;
}

/* Newlines in d[from:to], 16 bytes at a time (the portable builder's count): each byte lane counts its newlines
 * (a compare gives -1 per newline, subtracted), summed across the lanes every 255 rounds, before a lane can
 * overflow. */
static Py_ssize_t newlines_portable(const unsigned char *d, Py_ssize_t from, Py_ssize_t to) {
    Py_ssize_t count = 0, i = from;
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (i + 16 <= to) {
        __m128i lanes = _mm_setzero_si128();
        for (int round = 0; round < 255 && i + 16 <= to; round++, i += 16)
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(d + i)), newline));
        __m128i sums = _mm_sad_epu8(lanes, zero);
        count += _mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums));
    }
#endif
    for (; i < to; i++) count += d[i] == '\n';
    return count;
}

/* What a full-width digit is, for the digit masks. */
typedef struct {
    int utf8;
    unsigned char lead, low, high; /* CP932, EUC-JP: full-width digits are lead, low..high */
} DigitForm;

/* The digit masks of ``count`` blocks of 64 bytes from block ``first`` of d (size bytes; blocks past the end are
 * empty), into ``out``: the portable builder. */
static void digit_masks_portable(const unsigned char *d, Py_ssize_t size, Py_ssize_t first, int count,
                                 const DigitForm *form, DigitMasks *out) {
    unsigned char lead = form->lead, low = form->low, high = form->high;
    for (int b = 0; b < count; b++) {
        Py_ssize_t at = 64 * (first + b);
        if (form->utf8) /* (a constant each: the loop is compiled once for each) */
            digit_masks_of(d + (at < size ? at : size), size - at, 1, 0xEF, 0x90, 0x99, &out[b]);
        else
            digit_masks_of(d + (at < size ? at : size), size - at, 0, lead, low, high, &out[b]);
    }
}

/* ---- Mask builders: the portable one above and wider twins, chosen at run time ------------------------------
 * The passes take their masks from the builder in use, a tile of blocks at a time; the rest of each pass is the
 * same whichever built them. The AVX2 and AVX-512BW builders are compiled for their targets function by function
 * and used only where the CPU has them (``__builtin_cpu_supports``), so the module runs on any x86-64. At import
 * the widest the CPU runs is in use; ``use_mask_builder`` changes it (the tests run every one and compare). */

#ifdef WIDE_SIMD
/* The 64 bytes of block ``at`` of d, or the block copied into ``buffer`` (zeros after the data) when fewer than
 * ``reach`` bytes are there to read from it. */
static inline const unsigned char *wide_block(const unsigned char *d, Py_ssize_t size, Py_ssize_t at, int reach,
                                              unsigned char *buffer, int buffer_size) {
    if (size - at >= reach) return d + at;
    memset(buffer, 0, (size_t)buffer_size);
    if (size > at) memcpy(buffer, d + at, (size_t)(size - at));
    return buffer;
}

__attribute__((target("avx2"))) static void ascii_masks_avx2(const unsigned char *d, Py_ssize_t size,
                                                             Py_ssize_t first, int count, const unsigned char *seps,
                                                             int nseps, Masks *out) {
    unsigned char buffer[64];
    __m256i sep_bytes[MAX_SEPARATORS];
    for (int s = 0; s < nseps; s++) sep_bytes[s] = _mm256_set1_epi8((char)seps[s]);
    const __m256i zero = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
    const __m256i plus_byte = _mm256_set1_epi8('+'), newline_byte = _mm256_set1_epi8('\n');
    for (int b = 0; b < count; b++) {
        const unsigned char *p = wide_block(d, size, 64 * (first + b), 64, buffer, 64);
        uint64_t digit = 0, sep = 0, plus = 0, newline = 0;
        for (int half = 0; half < 2; half++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * half));
            __m256i t = _mm256_sub_epi8(x, zero);
            __m256i is_s = _mm256_setzero_si256();
            for (int s = 0; s < nseps; s++) is_s = _mm256_or_si256(is_s, _mm256_cmpeq_epi8(x, sep_bytes[s]));
            int shift = 32 * half;
            digit |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(t, nine), nine))
                     << shift;
            sep |= (uint64_t)(uint32_t)_mm256_movemask_epi8(is_s) << shift;
            plus |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, plus_byte)) << shift;
            newline |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, newline_byte)) << shift;
        }
        out[b].digit = digit, out[b].sep = sep, out[b].plus = plus, out[b].newline = newline;
    }
}

__attribute__((target("avx512f,avx512bw"))) static void ascii_masks_avx512(const unsigned char *d, Py_ssize_t size,
                                                                           Py_ssize_t first, int count,
                                                                           const unsigned char *seps, int nseps,
                                                                           Masks *out) {
    unsigned char buffer[64];
    __m512i sep_bytes[MAX_SEPARATORS];
    for (int s = 0; s < nseps; s++) sep_bytes[s] = _mm512_set1_epi8((char)seps[s]);
    const __m512i zero = _mm512_set1_epi8('0'), nine = _mm512_set1_epi8(9);
    const __m512i plus_byte = _mm512_set1_epi8('+'), newline_byte = _mm512_set1_epi8('\n');
    for (int b = 0; b < count; b++) {
        const unsigned char *p = wide_block(d, size, 64 * (first + b), 64, buffer, 64);
        __m512i x = _mm512_loadu_si512((const void *)p);
        uint64_t sep = 0;
        for (int s = 0; s < nseps; s++) sep |= _mm512_cmpeq_epi8_mask(x, sep_bytes[s]);
        out[b].digit = _mm512_cmple_epu8_mask(_mm512_sub_epi8(x, zero), nine);
        out[b].sep = sep;
        out[b].plus = _mm512_cmpeq_epi8_mask(x, plus_byte);
        out[b].newline = _mm512_cmpeq_epi8_mask(x, newline_byte);
    }
}

__attribute__((target("avx2"))) static void digit_masks_avx2(const unsigned char *d, Py_ssize_t size,
                                                             Py_ssize_t first, int count, const DigitForm *form,
                                                             DigitMasks *out) {
    unsigned char buffer[DIGIT_BLOCK_BUFFER];
    int utf8 = form->utf8;
    const __m256i zero = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
    const __m256i lead_byte = _mm256_set1_epi8((char)(utf8 ? 0xEF : form->lead));
    const __m256i second_byte = _mm256_set1_epi8((char)0xBC);
    const __m256i low_byte = _mm256_set1_epi8((char)(utf8 ? 0x90 : form->low));
    const __m256i span = _mm256_set1_epi8((char)(utf8 ? 9 : form->high - form->low));
    for (int b = 0; b < count; b++) {
        const unsigned char *p =
            wide_block(d, size, 64 * (first + b), DIGIT_BLOCK_READ, buffer, DIGIT_BLOCK_BUFFER);
        uint64_t digit = 0, wide = 0;
        for (int half = 0; half < 2; half++) {
            const unsigned char *at = p + 32 * half;
            __m256i x0 = _mm256_loadu_si256((const __m256i *)at), x1 = _mm256_loadu_si256((const __m256i *)(at + 1));
            __m256i is_d = _mm256_cmpeq_epi8(_mm256_max_epu8(_mm256_sub_epi8(x0, zero), nine), nine);
            __m256i is_w;
            if (utf8) {
                __m256i x2 = _mm256_loadu_si256((const __m256i *)(at + 2));
                __m256i in_range = _mm256_cmpeq_epi8(_mm256_max_epu8(_mm256_sub_epi8(x2, low_byte), span), span);
                is_w = _mm256_and_si256(
                    _mm256_and_si256(_mm256_cmpeq_epi8(x0, lead_byte), _mm256_cmpeq_epi8(x1, second_byte)), in_range);
            } else {
                __m256i in_range = _mm256_cmpeq_epi8(_mm256_max_epu8(_mm256_sub_epi8(x1, low_byte), span), span);
                is_w = _mm256_and_si256(_mm256_cmpeq_epi8(x0, lead_byte), in_range);
            }
            int shift = 32 * half;
            digit |= (uint64_t)(uint32_t)_mm256_movemask_epi8(is_d) << shift;
            wide |= (uint64_t)(uint32_t)_mm256_movemask_epi8(is_w) << shift;
        }
        out[b].digit = digit, out[b].wide = wide;
    }
}

__attribute__((target("avx512f,avx512bw"))) static void digit_masks_avx512(const unsigned char *d, Py_ssize_t size,
                                                                           Py_ssize_t first, int count,
                                                                           const DigitForm *form, DigitMasks *out) {
    unsigned char buffer[DIGIT_BLOCK_BUFFER];
    int utf8 = form->utf8;
    const __m512i zero = _mm512_set1_epi8('0'), nine = _mm512_set1_epi8(9);
    const __m512i lead_byte = _mm512_set1_epi8((char)(utf8 ? 0xEF : form->lead));
    const __m512i second_byte = _mm512_set1_epi8((char)0xBC);
    const __m512i low_byte = _mm512_set1_epi8((char)(utf8 ? 0x90 : form->low));
    const __m512i span = _mm512_set1_epi8((char)(utf8 ? 9 : form->high - form->low));
    for (int b = 0; b < count; b++) {
        const unsigned char *p =
            wide_block(d, size, 64 * (first + b), DIGIT_BLOCK_READ, buffer, DIGIT_BLOCK_BUFFER);
        __m512i x0 = _mm512_loadu_si512((const void *)p), x1 = _mm512_loadu_si512((const void *)(p + 1));
        out[b].digit = _mm512_cmple_epu8_mask(_mm512_sub_epi8(x0, zero), nine);
        if (utf8) {
            __m512i x2 = _mm512_loadu_si512((const void *)(p + 2));
            __mmask64 lead = _mm512_cmpeq_epi8_mask(x0, lead_byte);
            __mmask64 second = _mm512_mask_cmpeq_epi8_mask(lead, x1, second_byte);
            out[b].wide = _mm512_mask_cmple_epu8_mask(second, _mm512_sub_epi8(x2, low_byte), span);
        } else {
            __mmask64 lead = _mm512_cmpeq_epi8_mask(x0, lead_byte);
            out[b].wide = _mm512_mask_cmple_epu8_mask(lead, _mm512_sub_epi8(x1, low_byte), span);
        }
    }
}

__attribute__((target("avx2"))) static Py_ssize_t newlines_avx2(const unsigned char *d, Py_ssize_t from,
                                                                Py_ssize_t to) {
    Py_ssize_t count = 0, i = from;
    const __m256i newline = _mm256_set1_epi8('\n'), zero = _mm256_setzero_si256();
    while (i + 32 <= to) {
        __m256i lanes = _mm256_setzero_si256();
        for (int round = 0; round < 255 && i + 32 <= to; round++, i += 32)
            lanes = _mm256_sub_epi8(lanes, _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(d + i)), newline));
        __m256i sums = _mm256_sad_epu8(lanes, zero);
        count += _mm256_extract_epi64(sums, 0) + _mm256_extract_epi64(sums, 1) + _mm256_extract_epi64(sums, 2) +
                 _mm256_extract_epi64(sums, 3);
    }
    return count + newlines_portable(d, i, to);
}

__attribute__((target("avx512f,avx512bw,popcnt"))) static Py_ssize_t newlines_avx512(const unsigned char *d,
                                                                                     Py_ssize_t from, Py_ssize_t to) {
    Py_ssize_t count = 0, i = from;
    const __m512i newline = _mm512_set1_epi8('\n');
    for (; i + 64 <= to; i += 64)
        count += __builtin_popcountll(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(d + i)), newline));
    return count + newlines_portable(d, i, to);
}

static int cpu_has_avx2(void) { return __builtin_cpu_supports("avx2"); }
static int cpu_has_avx512bw(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("popcnt");
}
#endif

static int cpu_has_nothing_more(void) { return 1; }

/* A pass asks for the masks of a few blocks at a time (MASK_TILE, measured: the masks are built close to where
 * they are used, and the calls are few): how many blocks from ``block`` are wanted, the one after the data's
 * last included (the last block's "next"). */
enum { MASK_TILE = 8 };

static inline int tile_blocks(Py_ssize_t size, Py_ssize_t block, int most) {
    Py_ssize_t left = (size + 63) / 64 + 1 - block;
    return left < most ? (int)left : most;
}

typedef void (*AsciiMaskBuilder)(const unsigned char *, Py_ssize_t, Py_ssize_t, int, const unsigned char *, int,
                                 Masks *);
typedef void (*DigitMaskBuilder)(const unsigned char *, Py_ssize_t, Py_ssize_t, int, const DigitForm *,
                                 DigitMasks *);

typedef Py_ssize_t (*NewlineCounter)(const unsigned char *, Py_ssize_t, Py_ssize_t);

typedef struct {
    const char *name;
    int (*runs_here)(void);
    AsciiMaskBuilder ascii;
    DigitMaskBuilder digits;
    NewlineCounter newlines; /* the newlines in d[from:to] */
} MaskBuilder;

/* From the plainest to the widest: the widest this CPU runs is used from import on. */
static const MaskBuilder MASK_BUILDERS[] = {
    {"portable", cpu_has_nothing_more, ascii_masks_portable, digit_masks_portable, newlines_portable},
#ifdef WIDE_SIMD
    {"avx2", cpu_has_avx2, ascii_masks_avx2, digit_masks_avx2, newlines_avx2},
    {"avx512bw", cpu_has_avx512bw, ascii_masks_avx512, digit_masks_avx512, newlines_avx512},
#endif
};
enum { N_MASK_BUILDERS = sizeof MASK_BUILDERS / sizeof MASK_BUILDERS[0] };

/* The builder in use: set at import (``choose_mask_builder``) and by ``use_mask_builder``, read by the passes. */
static const MaskBuilder *mask_builder = &MASK_BUILDERS[0];

static void choose_mask_builder(void) {
#ifdef WIDE_SIMD
    __builtin_cpu_init();
#endif
    for (int i = 0; i < N_MASK_BUILDERS; i++)
        if (MASK_BUILDERS[i].runs_here()) mask_builder = &MASK_BUILDERS[i];
}

PyDoc_STRVAR(mask_builders_doc,
"mask_builders() -> tuple[str, ...]\n\n"
"The names of the mask builders this CPU runs, from the plainest (\"portable\": SSE2, or byte by byte) to the\n"
"widest (\"avx2\", \"avx512bw\"). ascii_hits and multibyte_hits give the same whichever builds their masks.");

static PyObject *mask_builders(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args)) {
    PyObject *names = PyTuple_New(0);
    for (int i = 0; names != NULL && i < N_MASK_BUILDERS; i++) {
        if (!MASK_BUILDERS[i].runs_here()) continue;
        PyObject *name = PyUnicode_FromString(MASK_BUILDERS[i].name);
        if (name == NULL || _PyTuple_Resize(&names, PyTuple_GET_SIZE(names) + 1) < 0) {
            Py_XDECREF(name);
            Py_CLEAR(names);
            break;
        }
        PyTuple_SET_ITEM(names, PyTuple_GET_SIZE(names) - 1, name);
    }
    return names;
}

PyDoc_STRVAR(use_mask_builder_doc,
"use_mask_builder(name) -> str\n\n"
"Build the passes' masks with the builder ``name`` (one of mask_builders()) from now on in this process; the\n"
"name of the one used before. The widest the CPU runs is used from import on: this is for the tests, which\n"
"hold every builder to the same results. Raises ValueError for a builder this CPU does not run.");

static PyObject *use_mask_builder(PyObject *Py_UNUSED(self), PyObject *args) {
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    for (int i = 0; i < N_MASK_BUILDERS; i++)
        if (strcmp(MASK_BUILDERS[i].name, name) == 0 && MASK_BUILDERS[i].runs_here()) {
            const char *before = mask_builder->name;
            mask_builder = &MASK_BUILDERS[i];
            return PyUnicode_FromString(before);
        }
    return PyErr_Format(PyExc_ValueError, "no mask builder %R on this CPU", PyTuple_GET_ITEM(args, 0));
}

/* Bit p of the result is bit p + j of the stream (cur, then next). */
static inline uint64_t ahead(uint64_t cur, uint64_t next, int j) {
    return (uint64_t)((((u128)next << 64) | cur) >> j);
}

static int append_int(PyObject *list, Py_ssize_t value) {
    PyObject *number = PyLong_FromSsize_t(value);
    if (number == NULL) return -1;
    int failed = PyList_Append(list, number);
    Py_DECREF(number);
    return failed;
}

/* The glued test of the matcher (_glued): a joiner and a digit on either side make the hit part of a longer
 * number. Contiguous hits are glued by '-' or '.', grouped ones by their own separator. */
static int glued(const unsigned char *d, Py_ssize_t size, Py_ssize_t start, Py_ssize_t trailing, int separator) {
    unsigned char before = d[start - 1], after = d[trailing];
    int before_joins = separator >= 0 ? before == separator : (before == '-' || before == '.');
    int after_joins = separator >= 0 ? after == separator : (after == '-' || after == '.');
    if (start >= 2 && before_joins && is_digit(d[start - 2])) return 1;
    if (after_joins && trailing + 1 < size && is_digit(d[trailing + 1])) return 1;
    return 0;
}

PyDoc_STRVAR(ascii_hits_doc,
"ascii_hits(data, separators) -> (contiguous, grouped, plus, anchors, counts, newlines)\n\n"
"In ASCII ``data``: the ends (one past the trailing byte) of exactly twelve digits, and of 4-4-4 groups with\n"
"the same one of ``separators`` twice, each with a non-digit byte before and after it, whose check digit is\n"
"right and that are not glued to a longer number; the ends of four digits, '+' and a digit (an escaped\n"
"separator's hint); every candidate end again in offset order with the newlines before it; and the newlines\n"
"of the whole data.");

static PyObject *ascii_hits(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer data, separators;
    if (!PyArg_ParseTuple(args, "y*y*", &data, &separators)) return NULL;
    const unsigned char *d = data.buf;
    Py_ssize_t size = data.len;
    if (separators.len > MAX_SEPARATORS) {
        PyBuffer_Release(&data), PyBuffer_Release(&separators);
        PyErr_SetString(PyExc_ValueError, "too many separators for ascii_hits");
        return NULL;
    }
    int nseps = (int)separators.len;
    unsigned char seps[MAX_SEPARATORS];
    memcpy(seps, separators.buf, (size_t)nseps);
    PyBuffer_Release(&separators);

    PyObject *contiguous = PyList_New(0), *grouped = PyList_New(0), *plus = PyList_New(0);
    PyObject *anchors = PyList_New(0), *counts = PyList_New(0);
    if (!contiguous || !grouped || !plus || !anchors || !counts) goto fail;

    Py_ssize_t newlines = 0, tile_first = 0;
    Masks prev = {0, 0, 0, 0}, tile[MASK_TILE + 1];
    AsciiMaskBuilder build = mask_builder->ascii; /* (chosen once a call) */
    int tile_count = tile_blocks(size, 0, MASK_TILE + 1);
    build(d, size, 0, tile_count, seps, nseps, tile);
    for (Py_ssize_t base = 0, block = 0; base < size; base += 64, block++) {
        if (block + 1 >= tile_first + tile_count) { /* the tile's last block is this one: it stays, as the first */
            tile[0] = tile[tile_count - 1];
            tile_first = block, tile_count = 1 + tile_blocks(size, block + 1, MASK_TILE);
            build(d, size, block + 1, tile_count - 1, seps, nseps, tile + 1);
        }
        Masks cur = tile[block - tile_first], next = tile[block + 1 - tile_first];
        uint64_t D = cur.digit, S = cur.sep;
        uint64_t before = (D << 1) | (prev.digit >> 63); /* bit p: a digit at p - 1 */
        /* Four digits from bit p, on the 128-bit stream: the groups need it up to bit 63 + 10. */
        u128 stream = ((u128)next.digit << 64) | D;
        u128 stream4 = stream & (stream >> 1) & (stream >> 2) & (stream >> 3);
        uint64_t run12 = (uint64_t)(stream4 & (stream4 >> 4) & (stream4 >> 8));
        uint64_t starts12 = run12 & ~before & ~ahead(D, next.digit, 12);
        u128 sep_stream = ((u128)next.sep << 64) | S;
        uint64_t groups = (uint64_t)(stream4 & (sep_stream >> 4) & (stream4 >> 5) & (sep_stream >> 9) &
                                     (stream4 >> 10)) & ~before & ~ahead(D, next.digit, 14);
        uint64_t pluses = cur.plus & (((D << 1) | (prev.digit >> 63)) & ((D << 2) | (prev.digit >> 62)) &
                                      ((D << 3) | (prev.digit >> 61)) & ((D << 4) | (prev.digit >> 60))) &
                          ahead(D, next.digit, 1);
        uint64_t found = starts12 | groups;
        while (found) {
            int bit = __builtin_ctzll(found);
            found &= found - 1;
            Py_ssize_t start = base + bit;
            int is_grouped = (int)((groups >> bit) & 1);
            Py_ssize_t width = is_grouped ? 14 : 12, trailing = start + width;
            if (start < 1 || trailing >= size) continue; /* the data's edges: see _edge_windows */
            if (is_grouped) {
                if (d[start + 4] != d[start + 9] || !check_passes(d + start, GROUPED_DIGITS)) continue;
                if (glued(d, size, start, trailing, d[start + 4])) continue;
            } else {
                if (!check_passes(d + start, CONTIGUOUS_DIGITS) || glued(d, size, start, trailing, -1)) continue;
            }
            Py_ssize_t end = trailing + 1;
            Py_ssize_t before_hit =
                newlines + popcount64(cur.newline & ((1ULL << bit) - 1)) + (d[trailing] == '\n');
            if (append_int(is_grouped ? grouped : contiguous, end) || append_int(anchors, end) ||
                append_int(counts, before_hit))
                goto fail;
        }
        while (pluses) {
            int bit = __builtin_ctzll(pluses);
            pluses &= pluses - 1;
            Py_ssize_t at = base + bit;
            if (at >= 4 && at + 1 < size && append_int(plus, at + 2)) goto fail;
        }
        newlines += popcount64(cur.newline);
        prev = cur;
    }
    PyBuffer_Release(&data);
    return Py_BuildValue("(NNNNNn)", contiguous, grouped, plus, anchors, counts, newlines);

fail:
    PyBuffer_Release(&data);
    Py_XDECREF(contiguous), Py_XDECREF(grouped), Py_XDECREF(plus), Py_XDECREF(anchors), Py_XDECREF(counts);
    return NULL;
}

/* ---- multibyte_hits: the same pass over UTF-8, CP932 and EUC-JP text, full-width digits included ---------- */

/* Classes of a decoded character, as the tables built by detector/match/multibyte_pass.py give them: a digit
 * (half- or full-width) with its value, a separator with its index in the rules, a joiner (what glues a number
 * to the digits beside it), both of those, or anything else. In the pair tables, ONE_CHAR marks a byte pair
 * Python's codec decodes as one character (0: it does not). */
enum { CLS_OTHER = 0, CLS_DIGIT = 0x10, ONE_CHAR = 0x20, CLS_SEPARATOR = 0x40, CLS_JOINER = 0x80 };
enum { KIND_UTF8 = 0, KIND_CP932 = 1, KIND_EUCJP = 2, KIND_ASCII = 3 /* multibyte_quick only */ };
#define IS_DIGIT_CLASS(c) (((c) & 0xF0) == CLS_DIGIT)
#define SEPARATOR_ID(c) ((c) & CLS_SEPARATOR ? (c) & 0x0F : -1)

typedef struct {
    int kind;
    const unsigned char *d;
    Py_ssize_t size;
    const unsigned char *single;  /* 256: the class of a byte read as a character of its own */
    const unsigned char *pairs;   /* 65536 (CP932, EUC-JP): the class | ONE_CHAR of a two-byte character */
    const unsigned char *triples; /* 65536 (EUC-JP): the same for 0x8F b1 b2, keyed by b1 b2; else NULL */
    const unsigned char *code_points; /* UTF-8: 65536, the class of each character of the BMP that is not ASCII */
    const unsigned char *roles;   /* 256 (CP932, EUC-JP): ROLE_LAST, ROLE_LEAD of each byte */
    unsigned char digit_lead, digit_low, digit_high; /* CP932, EUC-JP: full-width digits are lead, low..high */
} Reader;

/* UTF-8: the code point of the sequence of ``length`` bytes (2 or 3) at p, whose first byte is a lead byte of that
 * length, or 0 when the bytes after it are not continuation bytes or it is overlong (then no character of the
 * tables: each is one exact sequence). */
static inline unsigned int utf8_code_point(const unsigned char *p, int length) {
    if (length == 2) {
        unsigned int code = ((unsigned int)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return (p[1] & 0xC0) == 0x80 && code >= 0x80 ? code : 0;
    }
    unsigned int code = ((unsigned int)(p[0] & 0x0F) << 12) | ((unsigned int)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && code >= 0x800 ? code : 0;
}

/* The class of the character starting at p (a character boundary), and its length in bytes. A character of
 * another class that is not ASCII gets length 1 in UTF-8: nothing walks past one. */
static int char_at(const Reader *r, Py_ssize_t p, int *len) {
    const unsigned char *d = r->d;
    unsigned char c = d[p];
    if (r->kind == KIND_UTF8) {
        *len = 1;
        if (c < 0x80) return r->single[c];
        if (c == 0xEF && p + 2 < r->size && d[p + 1] == 0xBC && d[p + 2] >= 0x90 && d[p + 2] <= 0x99) {
            *len = 3;
            return CLS_DIGIT | (d[p + 2] - 0x90);
        }
        int length = c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3 : 0; /* (the tables hold the BMP) */
        if (length == 0 || p + length > r->size) return CLS_OTHER;
        int cls = r->code_points[utf8_code_point(d + p, length)];
        if (cls) *len = length;
        return cls;
    }
    if (p + 1 < r->size) {
        unsigned char v = r->pairs[(c << 8) | d[p + 1]];
        if (v) {
            *len = 2;
            return v & ~ONE_CHAR;
        }
        if (r->triples != NULL && c == 0x8F && p + 2 < r->size) {
            v = r->triples[(d[p + 1] << 8) | d[p + 2]];
            if (v) {
                *len = 3;
                return v & ~ONE_CHAR;
            }
        }
    }
    *len = 1;
    return r->single[c];
}

/* UTF-8: the class of the character that ends at p - 1 (-1 when p is 0), and its length. A whole sequence
 * ending there is that character: its first byte cannot continue another one, so Python's decoder reads it so
 * whatever comes before. */
static int utf8_char_before(const Reader *r, Py_ssize_t p, int *len) {
    const unsigned char *d = r->d;
    *len = 1;
    if (p < 1) return -1;
    unsigned char c = d[p - 1];
    if (c < 0x80) return r->single[c];
    if (p >= 3 && d[p - 3] == 0xEF && d[p - 2] == 0xBC && c >= 0x90 && c <= 0x99) {
        *len = 3;
        return CLS_DIGIT | (c - 0x90);
    }
    if ((c & 0xC0) != 0x80) return CLS_OTHER; /* (a sequence ends with a continuation byte) */
    for (int length = 3; length >= 2; length--) {
        unsigned char first = p >= length ? d[p - length] : 0;
        if (length == 3 ? first < 0xE0 || first >= 0xF0 : first < 0xC2 || first >= 0xE0) continue;
        int cls = r->code_points[utf8_code_point(d + p - length, length)];
        if (cls) {
            *len = length;
            return cls;
        }
    }
    return CLS_OTHER;
}

/* CP932 and EUC-JP: where the characters start. ``cursor`` is a character boundary, ``prev1`` and ``prev2`` the
 * starts of the two characters before it (-1: none). A byte that can only end a character (ROLE_LAST: never the
 * first or middle byte of a longer one, as the tables say) has a boundary after it, so the reading starts again
 * after the last such byte before p, at least seven bytes back (two characters, for prev1 and prev2), instead
 * of going on from the cursor over everything between. */
typedef struct {
    Py_ssize_t cursor, prev1, prev2;
} Alignment;

enum { ROLE_LAST = 1, ROLE_LEAD = 2 };

static inline int mb_len(const Reader *r, Py_ssize_t p) {
    const unsigned char *d = r->d;
    unsigned char c = d[p];
    if (!(r->roles[c] & ROLE_LEAD) || p + 1 >= r->size) return 1;
    if (r->pairs[(c << 8) | d[p + 1]]) return 2;
    if (r->triples != NULL && c == 0x8F && p + 2 < r->size && r->triples[(d[p + 1] << 8) | d[p + 2]]) return 3;
    return 1;
}

static int align_to(const Reader *r, Alignment *a, Py_ssize_t p) {
    for (Py_ssize_t j = p - 7; j >= a->cursor; j--)
        if (r->roles[r->d[j]] & ROLE_LAST) {
            a->cursor = j + 1, a->prev1 = -1, a->prev2 = -1;
            break;
        }
    while (a->cursor < p) {
        int len = mb_len(r, a->cursor);
        a->prev2 = a->prev1, a->prev1 = a->cursor, a->cursor += len;
    }
    return a->cursor == p;
}

/* Digits of a 128-byte window (a block and the next): ``tokens``, the first byte of each digit (ASCII or full-width);
 * ``covered``, every byte of one. From a character boundary, the digits tile the covered bytes (no byte of a
 * full-width digit is an ASCII digit or the first byte of another one), so a run's length is the covered bytes
 * from its start and its digits the tokens among them. Bits from ``known`` on depend on the block after next. */
typedef struct {
    uint64_t tokens[2], covered[2];
    int known;
    Py_ssize_t end; /* set by run_length: where the run ends, from the block's start */
} Runs;

/* The number of digits of the run starting at bit i (a character boundary) of the window, or -1 when it may go
 * on past the bits known. */
static inline Py_ssize_t run_length(Runs *w, int i) {
    /* The 64 bits from bit i, read from the two 64-bit words without a branch (a shift of the second word by
     * 63 - i, then 1, is defined for every i up to 63); the rare run reaching past them, the rare start in the
     * second word (a 4-4-4 form's second group), on a branch of their own. */
    int length;
    uint64_t gaps = 0, tokens = 0;
    if (i < 64) {
        gaps = (~w->covered[0] >> i) | ((~w->covered[1] << (63 - i)) << 1);
        tokens = (w->tokens[0] >> i) | ((w->tokens[1] << (63 - i)) << 1);
    }
    if (gaps) {
        length = __builtin_ctzll(gaps);
    } else if (i < 64) {
        uint64_t high = ~w->covered[1] >> i;
        length = high ? 64 + __builtin_ctzll(high) : 128 - i;
    } else {
        uint64_t high = ~w->covered[1] >> (i - 64);
        length = high ? __builtin_ctzll(high) : 128 - i;
        tokens = w->tokens[1] >> (i - 64);
    }
    if (i + length >= w->known) return -1;
    w->end = i + length;
    if (length < 4) return length; /* no more digits than bytes */
    if (length > 63) return 64; /* (a run of 64 bytes holds more than 12 digits) */
    return popcount64(tokens & ((1ULL << length) - 1));
}

/* Bit p set when four digits follow each other as read from byte p, from the masks of a block and the next: ASCII
 * digits (``digit``) and the first bytes of full-width ones (``wide``), ``width`` bytes long (3 in UTF-8, 2 in
 * CP932 and EUC-JP). A digit at p is followed by the character at p + 1 (ASCII) or p + width (full-width), so
 * "k digits from p" is "a digit at p and k - 1 digits from the next character", shifted in three rounds over the
 * two blocks: what digit_run counts from p, up to four. A candidate's run has at least four digits; the runs of
 * one to three (most of those in dense text: parts of dates, phone numbers, postal codes), and in CP932 and
 * EUC-JP the last three digits of every full-width run, are dropped here, without a branch each. */
static inline uint64_t four_digits_from(const DigitMasks *cur, const DigitMasks *next, int width) {
    u128 ascii = ((u128)next->digit << 64) | cur->digit, full = ((u128)next->wide << 64) | cur->wide;
    u128 run = ascii | full;
    for (int round = 0; round < 3; round++) run = (ascii & (run >> 1)) | (full & (run >> width));
    return (uint64_t)run;
}


/* The 4-4-4 form: whether the second group may start at ``second`` (just after the first group and its separator
 * of class ``separator``): not when the masks tell its run is not four digits or the character after it not the
 * same separator (a phone number's last group, a postal code), so most such runs are never walked. */
static int second_group_may_follow(const Reader *r, Runs *runs, Py_ssize_t base, Py_ssize_t second, int separator) {
    if (second - base >= runs->known || second >= r->size) return second < r->size;
    Py_ssize_t counted = run_length(runs, (int)(second - base));
    if (counted < 0) return 1; /* past the bits known: walked */
    if (counted != 4) return 0;
    Py_ssize_t middle = runs->end + base;
    int len;
    return middle < r->size && SEPARATOR_ID(char_at(r, middle, &len)) == SEPARATOR_ID(separator);
}

/* The check digit of 12 digit values. */
static int values_pass(const int *values) {
    int sum = 0;
    for (int i = 0; i < 11; i++) sum += values[i] * WEIGHTS[i];
    int r = sum % 11;
    return values[11] == (r <= 1 ? 0 : 11 - r);
}

/* The digits from p, a character boundary: how many (all of the run), the first ``room`` values, and where the
 * run ends. Only digits are walked: an ASCII digit is a character of its own in every encoding read here, and a
 * full-width digit read from a boundary is one (its bytes are one character to the codec). */
static inline Py_ssize_t digit_run(const Reader *r, Py_ssize_t p, int *values, int room, Py_ssize_t *end) {
    const unsigned char *d = r->d;
    Py_ssize_t n = 0, size = r->size;
    int utf8 = r->kind == KIND_UTF8;
    unsigned char lead = utf8 ? 0xEF : r->digit_lead, low = utf8 ? 0x90 : r->digit_low;
    unsigned char span = utf8 ? 9 : (unsigned char)(r->digit_high - r->digit_low);
    for (;;) {
        int value;
        if (p < size && (unsigned char)(d[p] - '0') < 10) {
            value = d[p] - '0', p += 1;
        } else if (utf8 && p + 2 < size && d[p] == lead && d[p + 1] == 0xBC &&
                   (unsigned char)(d[p + 2] - low) <= span) {
            value = d[p + 2] - low, p += 3;
        } else if (!utf8 && p + 1 < size && d[p] == lead && (unsigned char)(d[p + 1] - low) <= span) {
            value = d[p + 1] - low, p += 2;
        } else {
            break;
        }
        if (n < room) values[n] = value;
        n++;
    }
    *end = p;
    return n;
}

/* Whether the character at p is a digit (p within the data). */
static int digit_at(const Reader *r, Py_ssize_t p) {
    int len;
    return p < r->size && IS_DIGIT_CLASS(char_at(r, p, &len));
}

typedef struct {
    PyObject *contiguous, *grouped, *anchors, *counts;
    Py_ssize_t counted_to, newlines;
    NewlineCounter count_newlines;
} Found;

static int add_hit(const Reader *r, Found *f, PyObject *list, Py_ssize_t end) {
    f->newlines += f->count_newlines(r->d, f->counted_to, end);
    f->counted_to = end;
    return append_int(list, end) || append_int(f->anchors, end) || append_int(f->counts, f->newlines);
}

/* The run of n digits from p to q (its first values in ``first``), whose character before (class before1;
 * before2 the one before that, -1 for none) is not a digit: a hit when it is exactly twelve digits, or the
 * first group of 4-4-4 joined twice by the same separator, with a character after it, the check digit right and
 * not glued to a longer number (by a joiner, or the grouped form's own separator, and a digit). -1 on failure. */
static int run_hits(const Reader *r, Found *f, Py_ssize_t p, Py_ssize_t n, const int *first, Py_ssize_t q,
                    int before1, int before2) {
    int values[12];
    if (p < 1 || q >= r->size) return 0; /* the data's edges: see edge_windows */
    memcpy(values, first, sizeof(int) * (n < 12 ? (size_t)n : 12));
    int len, after = char_at(r, q, &len);
    if (n == 12) {
        int glued = (before1 >= 0 && (before1 & CLS_JOINER) && before2 >= 0 && IS_DIGIT_CLASS(before2)) ||
                    ((after & CLS_JOINER) && digit_at(r, q + len));
        if (!glued && values_pass(values) && add_hit(r, f, f->contiguous, q + 1)) return -1;
    } else if (n == 4 && SEPARATOR_ID(after) >= 0) {
        int separator = SEPARATOR_ID(after), second_len;
        Py_ssize_t q2, q3;
        if (digit_run(r, q + len, values + 4, 4, &q2) != 4 || q2 >= r->size) return 0;
        int middle = char_at(r, q2, &second_len);
        if (SEPARATOR_ID(middle) != separator) return 0;
        if (digit_run(r, q2 + second_len, values + 8, 4, &q3) != 4 || q3 >= r->size) return 0;
        int trailing = char_at(r, q3, &len);
        int glued = (before1 >= 0 && SEPARATOR_ID(before1) == separator && before2 >= 0 &&
                     IS_DIGIT_CLASS(before2)) ||
                    (SEPARATOR_ID(trailing) == separator && digit_at(r, q3 + len));
        if (!glued && values_pass(values) && add_hit(r, f, f->grouped, q3 + 1)) return -1;
    }
    return 0;
}

/* The offsets base + i of the bits i set in ``bits``, into out (which has room for four more than there are);
 * how many. Four are written whether they are there or not (only those there are counted), so most blocks, with
 * none to four, take no branch a bit. */
static inline int offsets_of(uint64_t bits, Py_ssize_t base, Py_ssize_t *out) {
    int count = 0;
    for (int k = 0; k < 4; k++) {
        out[count] = base + __builtin_ctzll(bits | (1ULL << 63)); /* (bit 63 stands in for none) */
        count += bits != 0;
        bits &= bits - 1;
    }
    for (; bits; bits &= bits - 1) out[count++] = base + __builtin_ctzll(bits);
    return count;
}

/* A run from p (a start of the masks, in block ``base``) that the masks could not rule out: ``counted`` digits
 * (-1: it goes on past the bits known). Its hits added to f, and where the next run may start in *resume; -1 on
 * failure. */
static int look_at_run(const Reader *r, Alignment *a, Found *f, Runs *runs, Py_ssize_t base, Py_ssize_t p,
                       Py_ssize_t counted, Py_ssize_t *resume) {
    int multibyte = r->kind != KIND_UTF8, ascii_start = (unsigned char)(r->d[p] - '0') < 10;
    if (multibyte && !ascii_start && !align_to(r, a, p)) return 0; /* inside a character */
    if (counted == 4) { /* four digits, and no separator and second group after them: done */
        Py_ssize_t q = runs->end + base;
        int after_len, after = q < r->size ? char_at(r, q, &after_len) : 0;
        if (SEPARATOR_ID(after) < 0 || !second_group_may_follow(r, runs, base, q + after_len, after)) {
            *resume = q;
            return 0;
        }
    }
    int values[12], len1, len2, before1, before2 = -1;
    Py_ssize_t end, n = digit_run(r, p, values, 12, &end);
    *resume = end;
    if (n != 12 && n != 4) return 0; /* most runs: a date, an amount, a phone number */
    if (multibyte) {
        if (ascii_start && !align_to(r, a, p)) return 0; /* not reached: an ASCII byte is a character */
        before1 = a->prev1 >= 0 ? char_at(r, a->prev1, &len1) : -1;
        before2 = a->prev2 >= 0 ? char_at(r, a->prev2, &len2) : -1;
    } else {
        before1 = utf8_char_before(r, p, &len1);
        if (before1 >= 0 && (before1 & (CLS_JOINER | CLS_SEPARATOR))) before2 = utf8_char_before(r, p - len1, &len2);
    }
    if (before1 >= 0 && IS_DIGIT_CLASS(before1)) return 0; /* inside a longer run */
    return run_hits(r, f, p, n, values, end, before1, before2);
}

PyDoc_STRVAR(multibyte_hits_doc,
"multibyte_hits(data, kind, single, pairs, triples, code_points, digit_lead, roles) ->\n"
"    (contiguous, grouped, anchors, counts, newlines)\n\n"
"What ascii_hits gives, for ``data`` in UTF-8 (kind 0), CP932 (1) or EUC-JP (2), with half- and full-width\n"
"digits and the separators and joiners of the tables (built by detector.match.multibyte_pass from Python's\n"
"codecs): the ends (one past the byte after the number) of candidates, contiguous and grouped, every end again\n"
"in offset order with the newlines before it, and the newlines of the whole data. ``single``: 256 classes of\n"
"bytes read alone; ``pairs``, ``triples``: 65536 each (CP932 and EUC-JP; triples for EUC-JP's 0x8F); \n"
"``code_points``: UTF-8, 65536 classes of the characters of the BMP that are not ASCII; ``digit_lead``: the\n"
"lead byte and the range of second bytes of full-width digits (3 bytes; CP932, EUC-JP); ``roles``: 256 bytes,\n"
"1 for a byte that can only end a character, 2 for one that can start a longer one (CP932, EUC-JP).");

static PyObject *multibyte_hits(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer data, single, pairs, triples, code_points, lead, roles;
    int kind;
    if (!PyArg_ParseTuple(args, "y*iy*y*y*y*y*y*", &data, &kind, &single, &pairs, &triples, &code_points, &lead,
                          &roles))
        return NULL;
    PyObject *result = NULL;
    const MaskBuilder *build = mask_builder; /* (chosen once a call) */
    Found f = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0), 0, 0, build->newlines};
    if (!f.contiguous || !f.grouped || !f.anchors || !f.counts) goto done;
    int multibyte = kind == KIND_CP932 || kind == KIND_EUCJP;
    if ((kind != KIND_UTF8 && !multibyte) || single.len != 256 || (!multibyte && code_points.len != 65536) ||
        (multibyte && (pairs.len != 65536 || lead.len != 3 || roles.len != 256 ||
                       (triples.len != 0 && triples.len != 65536)))) {
        PyErr_SetString(PyExc_ValueError, "multibyte_hits: bad kind or tables");
        goto done;
    }
    Reader r = {kind, data.buf, data.len, single.buf, multibyte ? pairs.buf : NULL,
                triples.len ? triples.buf : NULL, code_points.buf, roles.buf, 0, 0, 0};
    unsigned char lead_byte = 0xEF, low = 0x90, high = 0x99;
    if (multibyte) {
        const unsigned char *l = lead.buf;
        lead_byte = l[0], low = l[1], high = l[2];
        r.digit_lead = lead_byte, r.digit_low = low, r.digit_high = high;
    }
    const unsigned char *d = data.buf;
    Py_ssize_t size = data.len, resume = 0;
    Alignment a = {0, -1, -1};
    DigitForm form = {!multibyte, lead_byte, low, high};
    /* A tile of blocks at a time: first where runs may start in each block (and their digits), as a list of
     * offsets, then each start in turn: one loop over the starts of eight blocks, not a loop a block. */
    DigitMasks tile[MASK_TILE + 1];
    Runs runs[MASK_TILE];
    Py_ssize_t starts_at[MASK_TILE * 64 + 4];
    Py_ssize_t nblocks = (size + 63) / 64;
    int have = tile_blocks(size, 0, MASK_TILE + 1);
    build->digits(d, size, 0, have, &form, tile);
    uint64_t prev_digit = 0, prev_wide = 0, prev_ends = 0;
    for (Py_ssize_t first = 0; first < nblocks; first += MASK_TILE) {
        if (first > 0) { /* the last tile's last block (the one after its blocks) is this tile's first */
            tile[0] = tile[MASK_TILE];
            have = 1 + tile_blocks(size, first + 1, MASK_TILE);
            build->digits(d, size, first + 1, have - 1, &form, tile + 1);
        }
        int blocks = nblocks - first < MASK_TILE ? (int)(nblocks - first) : MASK_TILE, nstarts = 0;
        for (int j = 0; j < blocks; j++) {
            const DigitMasks *cur = &tile[j], *next = &tile[j + 1];
            /* Where a run of digits may start. In UTF-8, exactly: a digit whose byte before ends no digit. In
             * CP932 and EUC-JP, an ASCII digit after no ASCII digit, and every full-width digit as the bytes read
             * from there (a byte pair that reads as one may be a character's second byte and a letter: its run
             * starts after it, so the byte before a digit tells nothing until the characters are aligned). */
            uint64_t starts, wide = cur->wide, wide_next = next->wide;
            runs[j].tokens[0] = cur->digit | wide, runs[j].tokens[1] = next->digit | wide_next;
            if (multibyte) {
                starts = (cur->digit & ~((cur->digit << 1) | (prev_digit >> 63))) | wide;
                runs[j].covered[0] = runs[j].tokens[0] | (wide << 1);
                runs[j].covered[1] = runs[j].tokens[1] | (wide_next << 1) | (wide >> 63);
                runs[j].known = 127;
                starts &= four_digits_from(cur, next, 2);
            } else {
                uint64_t ends = cur->digit | (wide << 2) | (prev_wide >> 62); /* bit p: a digit ends at byte p */
                starts = (cur->digit | wide) & ~((ends << 1) | (prev_ends >> 63));
                prev_wide = wide, prev_ends = ends;
                runs[j].covered[0] = runs[j].tokens[0] | (wide << 1) | (wide << 2);
                runs[j].covered[1] =
                    runs[j].tokens[1] | (wide_next << 1) | (wide_next << 2) | (wide >> 62) | (wide >> 63);
                runs[j].known = 126;
                starts &= four_digits_from(cur, next, 3);
            }
            prev_digit = cur->digit;
            nstarts += offsets_of(starts, 64 * (first + j), starts_at + nstarts);
        }
        for (int i = 0; i < nstarts; i++) {
            Py_ssize_t p = starts_at[i];
            if (p < resume) continue; /* in a run already read */
            int j = (int)(p / 64 - first);
            Py_ssize_t base = 64 * (first + j);
            int ascii_start = (unsigned char)(d[p] - '0') < 10;
            /* Most runs (a date, an amount, a phone number) end here, told by the masks without a walk. Read from
             * p as if it were a character boundary: if it is one, the run is no candidate; if it is not (the
             * second byte of a CP932 or EUC-JP character), p starts nothing, and the next start is looked at. */
            Py_ssize_t counted = run_length(&runs[j], (int)(p - base));
            if (counted >= 0 && counted != 12 && counted != 4) {
                if (!multibyte || ascii_start) resume = runs[j].end + base; /* p is a boundary: its run is done */
                continue;
            }
            if (look_at_run(&r, &a, &f, &runs[j], base, p, counted, &resume) < 0) goto done;
        }
    }
    f.newlines += build->newlines(d, f.counted_to, size);
    result = Py_BuildValue("(OOOOn)", f.contiguous, f.grouped, f.anchors, f.counts, f.newlines);
done:
    Py_XDECREF(f.contiguous), Py_XDECREF(f.grouped), Py_XDECREF(f.anchors), Py_XDECREF(f.counts);
    PyBuffer_Release(&data), PyBuffer_Release(&single), PyBuffer_Release(&pairs), PyBuffer_Release(&triples);
    PyBuffer_Release(&code_points), PyBuffer_Release(&lead), PyBuffer_Release(&roles);
    return result;
}

/* ---- multibyte_quick: which candidates of multibyte_hits have no My Number keyword in reach ---------------- */

/* What each character of the text may give once normalised (NFKC, case folded), as a set of the keywords'
 * characters: a byte per character naming one of up to 256 masks (tables built by detector/match/multibyte_pass.py
 * from detector.normalize.givers). A keyword can be in a stretch of text only when the characters there give
 * every character of it between them, so a stretch where no keyword's characters are all given holds none. */
typedef struct {
    int kind;
    const unsigned char *single;  /* CP932, EUC-JP: 256 mask ids of bytes read alone */
    const unsigned char *pairs;   /* CP932, EUC-JP: 65536 mask ids of two-byte characters */
    const unsigned char *triples; /* EUC-JP: 65536 mask ids of 0x8F b1 b2, keyed by b1 b2; else NULL */
    const unsigned char *index;   /* UTF-8: 256, the page of each 256 code points of the BMP (0: none gives any) */
    const unsigned char *pages;   /* UTF-8: 256 mask ids a page */
    Py_ssize_t npages;
    uint64_t masks[256];
    const unsigned char *needs;   /* 8 bytes a keyword (little-endian): the characters it needs */
    Py_ssize_t nneeds;
} Reach;

static inline uint64_t load64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* UTF-8: what the character starting at byte j may give. Every byte that is no continuation byte is read as the
 * start of a character, without checking the sequence (more than the decoder reads is only more to look at);
 * a character beyond the BMP may give anything. */
static inline uint64_t utf8_gives(const Reach *k, const unsigned char *d, Py_ssize_t size, Py_ssize_t j) {
    unsigned char c = d[j];
    unsigned int code;
    if (c < 0x80) {
        code = c;
    } else if (c < 0xC0) {
        return 0;
    } else if (c < 0xE0) {
        if (j + 1 >= size) return 0;
        code = ((unsigned int)(c & 0x1F) << 6) | (d[j + 1] & 0x3F);
    } else if (c < 0xF0) {
        if (j + 2 >= size) return 0;
        code = ((unsigned int)(c & 0x0F) << 12) | ((unsigned int)(d[j + 1] & 0x3F) << 6) | (d[j + 2] & 0x3F);
    } else {
        return c < 0xF5 ? ~(uint64_t)0 : 0;
    }
    unsigned char page = k->index[code >> 8];
    return page ? k->masks[k->pages[256 * (Py_ssize_t)page + (code & 0xFF)]] : 0;
}

/* CP932, EUC-JP: what a character starting at byte j may give, read every way the codec could (alone, as a pair,
 * as a triple): the stretch is read from every byte, not from a known character boundary. */
static inline uint64_t mb_gives(const Reach *k, const unsigned char *d, Py_ssize_t size, Py_ssize_t j) {
    uint64_t given = k->masks[k->single[d[j]]];
    if (j + 1 < size) {
        given |= k->masks[k->pairs[(d[j] << 8) | d[j + 1]]];
        if (k->triples != NULL && d[j] == 0x8F && j + 2 < size)
            given |= k->masks[k->triples[(d[j + 1] << 8) | d[j + 2]]];
    }
    return given;
}

/* Whether the characters starting in d[from:to] give every character of some keyword. */
static int may_hold_keyword(const Reach *k, const unsigned char *d, Py_ssize_t size, Py_ssize_t from,
                            Py_ssize_t to) {
    uint64_t given = 0;
    for (Py_ssize_t j = from; j < to; j++)
        given |= k->kind == KIND_UTF8 || k->kind == KIND_ASCII ? utf8_gives(k, d, size, j) : mb_gives(k, d, size, j);
    for (Py_ssize_t i = 0; i < k->nneeds; i++)
        if ((load64(k->needs + 8 * i) & ~given) == 0) return 1;
    return 0;
}

PyDoc_STRVAR(multibyte_quick_doc,
"multibyte_quick(data, kind, ends, single, pairs, triples, index, pages, masks, needs, before, after,\n"
"                first_line) -> (windowed, quick)\n\n"
"Of the contiguous candidates of multibyte_hits (``ends``, in ``data`` of ``kind``: 0-2 as multibyte_hits takes,\n"
"3 for ASCII read with the UTF-8 tables, the candidates of ascii_hits), those that may have a My\n"
"Number keyword within ``before`` characters before them or ``after`` characters after them (from the byte\n"
"after them), and (start, digits, line) of the others: the offset of the first digit, the twelve digits in\n"
"ASCII and ``first_line`` plus the newlines before the start.\n"
"The tables say what each character may give once normalised (see detector/match/multibyte_pass.py):\n"
"``single``, ``pairs``, ``triples`` (CP932, EUC-JP) or ``index`` and ``pages`` (UTF-8) name one of the 8-byte\n"
"``masks``; ``needs`` holds a mask a keyword. A character is at most 4 bytes (UTF-8), 2 (CP932) or 3 (EUC-JP),\n"
"so the bytes looked at hold at least the characters the scorer reads.");

static PyObject *multibyte_quick(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer data, single, pairs, triples, index, pages, masks, needs;
    int kind;
    Py_ssize_t before, after, first_line;
    PyObject *ends;
    if (!PyArg_ParseTuple(args, "y*iO!y*y*y*y*y*y*y*nnn", &data, &kind, &PyList_Type, &ends, &single, &pairs,
                          &triples, &index, &pages, &masks, &needs, &before, &after, &first_line))
        return NULL;
    PyObject *result = NULL, *windowed = PyList_New(0), *quick = PyList_New(0);
    int multibyte = kind == KIND_CP932 || kind == KIND_EUCJP;
    if (windowed == NULL || quick == NULL) goto done;
    if ((kind != KIND_UTF8 && kind != KIND_ASCII && !multibyte) || masks.len % 8 != 0 || masks.len > 8 * 256 ||
        needs.len % 8 != 0 ||
        before < 0 || after < 0 ||
        (multibyte && (single.len != 256 || pairs.len != 65536 || (triples.len != 0 && triples.len != 65536))) ||
        (!multibyte && (index.len != 256 || pages.len % 256 != 0))) {
        PyErr_SetString(PyExc_ValueError, "multibyte_quick: bad kind or tables");
        goto done;
    }
    Reach k = {kind, single.buf, pairs.buf, triples.len ? triples.buf : NULL, index.buf, pages.buf,
               pages.len / 256, {0}, needs.buf, needs.len / 8};
    Py_ssize_t nmasks = masks.len / 8;
    for (Py_ssize_t i = 0; i < 256; i++) k.masks[i] = i < nmasks ? load64((const unsigned char *)masks.buf + 8 * i) : 0;
    /* A mask id is a byte: every id names one of the 256 masks (those not given are empty). A page is checked. */
    for (Py_ssize_t i = 0; !multibyte && i < 256; i++)
        if (((const unsigned char *)index.buf)[i] >= k.npages) goto bad_id;
    const unsigned char *d = data.buf;
    Py_ssize_t size = data.len;
    Py_ssize_t width = kind == KIND_UTF8 ? 4 : kind == KIND_CP932 ? 2 : kind == KIND_EUCJP ? 3 : 1;
    unsigned char low = kind == KIND_CP932 ? 0x4F : kind == KIND_EUCJP ? 0xB0 : 0x90;
    Py_ssize_t wide = kind == KIND_UTF8 ? 3 : 2;
    NewlineCounter count_newlines = mask_builder->newlines; /* (chosen once a call) */
    Py_ssize_t count = PyList_GET_SIZE(ends), counted_to = 0, newlines = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(ends, i);
        Py_ssize_t end = PyLong_AsSsize_t(item);
        if (end == -1 && PyErr_Occurred()) goto done;
        /* The twelve digits end at end - 2, each an ASCII digit or a full-width one (last byte low..low + 9). */
        char digits[12];
        Py_ssize_t at = end - 2;
        int i_digit;
        for (i_digit = 11; i_digit >= 0 && at >= 0 && at < size; i_digit--) {
            unsigned char c = d[at];
            if ((unsigned char)(c - '0') < 10) {
                digits[i_digit] = (char)c, at -= 1;
            } else if ((unsigned char)(c - low) < 10 && at - wide + 1 >= 0) {
                digits[i_digit] = (char)('0' + (c - low)), at -= wide;
            } else {
                break;
            }
        }
        if (i_digit >= 0 || end - 1 > size) {
            PyErr_SetString(PyExc_ValueError, "multibyte_quick: an end that is no contiguous candidate's");
            goto done;
        }
        Py_ssize_t start = at + 1;
        Py_ssize_t from = start - before * width, to = end - 1 + after * width;
        if (may_hold_keyword(&k, d, size, from < 0 ? 0 : from, start) ||
            may_hold_keyword(&k, d, size, end - 1, to > size ? size : to)) {
            if (PyList_Append(windowed, item) < 0) goto done;
            continue;
        }
        if (start < counted_to) counted_to = 0, newlines = 0; /* (ends out of order: counted again) */
        newlines += count_newlines(d, counted_to, start);
        counted_to = start;
        PyObject *record = Py_BuildValue("(ns#n)", start, digits, (Py_ssize_t)12, first_line + newlines);
        if (record == NULL) goto done;
        int failed = PyList_Append(quick, record);
        Py_DECREF(record);
        if (failed) goto done;
    }
    result = PyTuple_Pack(2, windowed, quick);
    goto done;
bad_id:
    PyErr_SetString(PyExc_ValueError, "multibyte_quick: the index names a page that is not there");
done:
    Py_XDECREF(windowed), Py_XDECREF(quick);
    PyBuffer_Release(&data), PyBuffer_Release(&single), PyBuffer_Release(&pairs), PyBuffer_Release(&triples);
    PyBuffer_Release(&index), PyBuffer_Release(&pages), PyBuffer_Release(&masks), PyBuffer_Release(&needs);
    return result;
}

/* A growing byte buffer filled while the GIL is released (plain malloc, no Python objects). */
typedef struct {
    char *data;
    size_t size, capacity;
} Buffer;

static int buffer_add(Buffer *b, const void *bytes, size_t n) {
    if (b->size + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + n) capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (grown == NULL) return -1;
        b->data = grown, b->capacity = capacity;
    }
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
    return 0;
}

enum { KIND_FILE = 0, KIND_DIR = 1, KIND_LINK = 2, KIND_OTHER = 3 };

static int kind_of_mode(mode_t mode) {
    if (S_ISREG(mode)) return KIND_FILE;
    if (S_ISDIR(mode)) return KIND_DIR;
    if (S_ISLNK(mode)) return KIND_LINK;
    return KIND_OTHER;
}

PyDoc_STRVAR(list_names_doc,
"list_names(fd) -> (files, others)\n\n"
"The entries of the open folder ``fd`` in the order the system lists them (as os.scandir gives them):\n"
"``files``, the names of the regular files joined by NUL bytes; ``others``, the other entries as bytes,\n"
"each after a byte giving its kind (1 folder, 2 symbolic link, 3 anything else, 4 vanished), joined by\n"
"NUL. An entry whose type the listing does not give is lstat'ed, as os.DirEntry does. Raises OSError.");

static PyObject *list_names(PyObject *Py_UNUSED(self), PyObject *args) {
    int fd;
    if (!PyArg_ParseTuple(args, "i", &fd)) return NULL;
    Buffer files = {NULL, 0, 0}, others = {NULL, 0, 0};
    int error = 0, nfiles = 0, nothers = 0;
    Py_BEGIN_ALLOW_THREADS
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *dir = copy < 0 ? NULL : fdopendir(copy);
    if (dir == NULL) {
        error = errno;
        if (copy >= 0) close(copy);
    } else {
        rewinddir(dir);
        for (;;) {
            errno = 0;
            struct dirent *entry = readdir(dir);
            if (entry == NULL) {
                error = errno;
                break;
            }
            const char *name = entry->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
            int kind;
            switch (entry->d_type) {
            case DT_REG: kind = KIND_FILE; break;
            case DT_DIR: kind = KIND_DIR; break;
            case DT_LNK: kind = KIND_LINK; break;
            case DT_UNKNOWN: {
                struct stat st;
                kind = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? kind_of_mode(st.st_mode) : 4;
                break;
            }
            default: kind = KIND_OTHER;
            }
            size_t length = strlen(name);
            Buffer *into = kind == KIND_FILE ? &files : &others;
            int *count = kind == KIND_FILE ? &nfiles : &nothers;
            unsigned char kind_byte = (unsigned char)kind;
            if ((*count && buffer_add(into, "", 1)) || (kind != KIND_FILE && buffer_add(into, &kind_byte, 1)) ||
                buffer_add(into, name, length)) {
                error = ENOMEM;
                break;
            }
            ++*count;
        }
        rewinddir(dir); /* the copy shares its position with fd: leave it at the start, as os.scandir does */
        closedir(dir);
    }
    Py_END_ALLOW_THREADS
    PyObject *result = NULL;
    if (error == ENOMEM)
        PyErr_NoMemory();
    else if (error)
        errno = error, PyErr_SetFromErrno(PyExc_OSError);
    else
        result = Py_BuildValue("(y#y#)", files.data ? files.data : "", (Py_ssize_t)files.size,
                               others.data ? others.data : "", (Py_ssize_t)others.size);
    free(files.data), free(others.data);
    return result;
}

PyDoc_STRVAR(stat_names_doc,
"stat_names(fd, names, first, last, skip) -> (identities, problems) | None\n\n"
"lstat each of the NUL-joined ``names`` from index ``first`` to ``last`` (excluded) in the open folder\n"
"``fd``: ``identities``, (device, inode, size, mtime_ns) of each as signed 64-bit integers in native order\n"
"(array('q')), for the files that were stat'ed and are not in ``skip`` (device and inode pairs, packed the\n"
"same way); ``problems``, (index, errno) of each file left out, errno 0 for one in ``skip``. None when a\n"
"number does not fit in 64 bits.");

/* A file's (device, inode, size, mtime_ns) by name in the folder fd, without following a link: 0, or errno.
 * statx asked for only those fields costs a sixth less than fstatat on ext4 (1.15 against 1.4 us a file here);
 * fstatat where statx is missing (kernels before 4.11, or a sandbox that refuses it). */
#if defined(STATX_INO) && defined(STATX_SIZE) && defined(STATX_MTIME)
static int statx_unavailable = 0;
#define IDENTITY_MASK (STATX_INO | STATX_SIZE | STATX_MTIME)
#endif

static int identity_at(int fd, const char *name, int64_t identity[4], uint64_t *dev, uint64_t *ino) {
#ifdef IDENTITY_MASK
    if (!statx_unavailable) {
        struct statx sx;
        if (statx(fd, name, AT_SYMLINK_NOFOLLOW, IDENTITY_MASK, &sx) == 0) {
            if ((sx.stx_mask & IDENTITY_MASK) == IDENTITY_MASK) {
                *dev = (uint64_t)makedev(sx.stx_dev_major, sx.stx_dev_minor), *ino = (uint64_t)sx.stx_ino;
                identity[0] = (int64_t)*dev, identity[1] = (int64_t)*ino, identity[2] = (int64_t)sx.stx_size;
                identity[3] = (int64_t)sx.stx_mtime.tv_sec * 1000000000LL + sx.stx_mtime.tv_nsec;
                return 0;
            }
        } else if (errno == ENOSYS || errno == EPERM) {
            statx_unavailable = 1; /* EPERM: a seccomp filter that refuses the call (fstatat then tells) */
        } else {
            return errno;
        }
    }
#endif
    struct stat st;
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
    *dev = (uint64_t)st.st_dev, *ino = (uint64_t)st.st_ino;
    identity[0] = (int64_t)*dev, identity[1] = (int64_t)*ino, identity[2] = (int64_t)st.st_size;
    identity[3] = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return 0;
}

static PyObject *stat_names(PyObject *Py_UNUSED(self), PyObject *args) {
    int fd;
    Py_buffer names, skip;
    Py_ssize_t first, last;
    if (!PyArg_ParseTuple(args, "iy*nny*", &fd, &names, &first, &last, &skip)) return NULL;
    Buffer identities = {NULL, 0, 0}, problems = {NULL, 0, 0};
    const int64_t *skipped = skip.buf;
    Py_ssize_t nskip = skip.len / 16;
    int error = 0, too_big = 0;
    char *copy = malloc((size_t)names.len + 1);
    if (copy == NULL) error = ENOMEM;
    Py_BEGIN_ALLOW_THREADS
    if (copy != NULL) {
        memcpy(copy, names.buf, (size_t)names.len);
        copy[names.len] = 0;
        char *name = copy, *end = copy + names.len;
        for (Py_ssize_t index = 0; index < last && name <= end; index++) {
            size_t length = strlen(name);
            if (index >= first) {
                int64_t problem[2] = {index, 0}, identity[4];
                uint64_t dev, ino;
                int failed = identity_at(fd, name, identity, &dev, &ino);
                if (failed) {
                    problem[1] = failed;
                } else {
                    int own = 0;
                    for (Py_ssize_t s = 0; s < nskip; s++)
                        if ((uint64_t)skipped[2 * s] == dev && (uint64_t)skipped[2 * s + 1] == ino) own = 1;
                    if (dev > INT64_MAX || ino > INT64_MAX) too_big = 1;
                    if (!own) {
                        if (buffer_add(&identities, identity, sizeof identity)) error = ENOMEM;
                        problem[0] = -1;
                    }
                }
                if (problem[0] >= 0 && buffer_add(&problems, problem, sizeof problem)) error = ENOMEM;
                if (error) break;
            }
            name += length + 1;
        }
    }
    Py_END_ALLOW_THREADS
    free(copy);
    PyBuffer_Release(&names);
    PyBuffer_Release(&skip);
    PyObject *result = NULL;
    if (error) {
        PyErr_NoMemory();
    } else if (too_big) {
        result = Py_NewRef(Py_None);
    } else {
        PyObject *list = PyList_New(0);
        const int64_t *p = (const int64_t *)problems.data;
        for (size_t i = 0; list != NULL && i < problems.size / 16; i++) {
            PyObject *pair = Py_BuildValue("(LL)", (long long)p[2 * i], (long long)p[2 * i + 1]);
            if (pair == NULL || PyList_Append(list, pair)) Py_CLEAR(list);
            Py_XDECREF(pair);
        }
        if (list != NULL)
            result = Py_BuildValue("(y#N)", identities.data ? identities.data : "", (Py_ssize_t)identities.size,
                                   list);
    }
    free(identities.data), free(problems.data);
    return result;
}

PyDoc_STRVAR(stat_folders_doc,
"stat_folders(folders, settled_ns, stop) -> list\n\n"
"For each (path, listed, files) of the sequence ``folders``, in order: open the folder ``path`` (bytes), and when its\n"
"(device, inode, mtime_ns, ctime_ns) are the first four of ``listed`` (five signed 64-bit integers, the fifth\n"
"when it was listed) and both times are ``settled_ns`` or more before it was listed, lstat each of the\n"
"NUL-joined ``files`` in it. The result has, for each folder, the identities as stat_names gives them, or\n"
"None: the folder changed, could not be opened, or a file could not be stat'ed. Before each folder the first\n"
"byte of the writable buffer ``stop`` is read: once it is not 0, the folders left get None. Runs without the\n"
"GIL from the first folder to the last.");

typedef struct {
    const char *path, *files;
    Py_ssize_t files_len;
    int64_t listed[5];
    Buffer identities;
    int ok;
} FolderWork;

static void stat_folder(FolderWork *work, int64_t settled_ns) {
    int fd = open(work->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    int64_t mtime = 0, ctime_ = 0;
    if (fstat(fd, &st) == 0) {
        mtime = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        ctime_ = (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
    }
    int64_t settled = work->listed[4] - settled_ns;
    int stands = mtime != 0 && (int64_t)st.st_dev == work->listed[0] && (int64_t)st.st_ino == work->listed[1] &&
                 mtime == work->listed[2] && ctime_ == work->listed[3] && mtime < settled && ctime_ < settled;
    if (stands) {
        char *names = malloc((size_t)work->files_len + 1);
        if (names != NULL) {
            memcpy(names, work->files, (size_t)work->files_len);
            names[work->files_len] = 0;
            int ok = 1;
            for (char *name = names, *end = names + work->files_len; ok && work->files_len && name <= end;
                 name += strlen(name) + 1) {
                int64_t identity[4];
                uint64_t dev, ino;
                ok = identity_at(fd, name, identity, &dev, &ino) == 0 && dev <= INT64_MAX && ino <= INT64_MAX &&
                     buffer_add(&work->identities, identity, sizeof identity) == 0;
            }
            work->ok = ok;
            free(names);
        }
    }
    close(fd);
}

static PyObject *stat_folders(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *folders;
    long long settled_ns;
    Py_buffer stop;
    if (!PyArg_ParseTuple(args, "OLw*", &folders, &settled_ns, &stop)) return NULL;
    /* A tuple of the items: it holds them, and their bytes, unchanged while the GIL is off. */
    PyObject *held = PySequence_Tuple(folders);
    if (held == NULL) {
        PyBuffer_Release(&stop);
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(held);
    FolderWork *work = calloc((size_t)(count ? count : 1), sizeof *work);
    if (work == NULL) {
        Py_DECREF(held);
        PyBuffer_Release(&stop);
        return PyErr_NoMemory();
    }
    PyObject *result = NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyTuple_GET_ITEM(held, i);
        const char *listed;
        Py_ssize_t path_len, listed_len;
        if (!PyArg_ParseTuple(item, "y#y#y#", &work[i].path, &path_len, &listed, &listed_len, &work[i].files,
                              &work[i].files_len))
            goto done;
        if (listed_len != 40 || (Py_ssize_t)strlen(work[i].path) != path_len) {
            PyErr_SetString(PyExc_ValueError, "a folder's listed identity is 40 bytes, its path has no NUL");
            goto done;
        }
        memcpy(work[i].listed, listed, 40);
    }
    if (stop.len < 1) {
        PyErr_SetString(PyExc_ValueError, "stop must be a writable buffer of at least one byte");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    const volatile char *stopping = stop.buf;
    for (Py_ssize_t i = 0; i < count && !__atomic_load_n(stopping, __ATOMIC_ACQUIRE); i++)
        stat_folder(&work[i], settled_ns);
    Py_END_ALLOW_THREADS
    result = PyList_New(count);
    for (Py_ssize_t i = 0; result != NULL && i < count; i++) {
        PyObject *value = work[i].ok ? PyBytes_FromStringAndSize(work[i].identities.data ? work[i].identities.data
                                                                                          : "",
                                                                 (Py_ssize_t)work[i].identities.size)
                                     : Py_NewRef(Py_None);
        if (value == NULL) Py_CLEAR(result);
        else PyList_SET_ITEM(result, i, value);
    }
done:
    for (Py_ssize_t i = 0; i < count; i++) free(work[i].identities.data);
    free(work);
    Py_DECREF(held);
    PyBuffer_Release(&stop);
    return result;
}

PyDoc_STRVAR(find_identity_doc,
"find_identity(identities, pairs) -> int\n\n"
"The index of the first of ``identities`` ((device, inode, size, mtime_ns) records, as stat_names gives them)\n"
"whose device and inode are one of ``pairs`` ((device, inode) records, packed the same way), or -1.");

static PyObject *find_identity(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer identities, pairs;
    if (!PyArg_ParseTuple(args, "y*y*", &identities, &pairs)) return NULL;
    const int64_t *records = identities.buf, *wanted = pairs.buf;
    Py_ssize_t count = identities.len / 32, nwanted = pairs.len / 16, found = -1;
    for (Py_ssize_t i = 0; i < count && found < 0; i++)
        for (Py_ssize_t w = 0; w < nwanted; w++)
            if (records[4 * i + 1] == wanted[2 * w + 1] && records[4 * i] == wanted[2 * w]) {
                found = i;
                break;
            }
    PyBuffer_Release(&identities);
    PyBuffer_Release(&pairs);
    return PyLong_FromSsize_t(found);
}

/* -- what a small file's bytes say ------------------------------------------------------------------------- */

/* The C0 controls that text does not hold (detector.identify's _NOT_SUSPICIOUS keeps tab, newline, CR, form feed,
   escape, backspace and vertical tab): 1 for a suspicious byte. */
static const unsigned char suspicious_control[32] = {
    1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,
};

/* The length of the valid UTF-8 sequence at s (2 to 4), 0 when it is invalid, or -1 when s holds the valid start of a
   sequence cut by the end of the data, which codecs.utf_8_decode(..., final=False) leaves for later: each byte present
   a continuation byte, the second within its lead's range, except that a cut surrogate (ED A0-BF, two bytes) is
   accepted too, as CPython's decoder does. */
static int utf8_sequence(const unsigned char *s, Py_ssize_t left) {
    unsigned char lead = s[0];
    int length;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        else if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        else if (lead == 0xF4) high = 0x8F;
    } else return 0;
    if (left >= 2) {
        unsigned char second = s[1];
        int cut_surrogate = lead == 0xED && left == 2 && second >= 0xA0 && second <= 0xBF;
        if ((second < low || second > high) && !cut_surrogate) return 0;
    }
    for (Py_ssize_t k = 2; k < length && k < left; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return left < length ? -1 : length;
}

/* The bytes of p[0:8] below 0x20, flagged by one bit each (0x80 of their byte): the lowest flagged byte is exact
   (the subtraction only borrows upwards). With ``high``, bytes above 0x7F too. */
static inline uint64_t flagged(const unsigned char *p, int high) {
    uint64_t word;
    memcpy(&word, p, 8);
    uint64_t flags = (word - 0x2020202020202020ULL) & ~word & 0x8080808080808080ULL;
    return high ? flags | (word & 0x8080808080808080ULL) : flags;
}

/* The bytes of p[i:i + 8] above 0x7F, flagged as by flagged(). */
static inline uint64_t high_bytes(const unsigned char *p) {
    uint64_t word;
    memcpy(&word, p, 8);
    return word & 0x8080808080808080ULL;
}

/* The first byte a flag word points at (its lowest flagged byte), or 0 where the byte order is unknown. */
static inline Py_ssize_t first_flagged(uint64_t flags) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_ctzll(flags) >> 3;
#else
    (void)flags;
    return 0;
#endif
}

/* The suspicious controls in p[i:end] (see suspicious_control), and whether one is a NUL. */
static Py_ssize_t count_controls(const unsigned char *p, Py_ssize_t i, Py_ssize_t end, int *nul) {
    Py_ssize_t controls = 0;
    while (i < end) {
        if (i + 8 <= end) {
            uint64_t flags = flagged(p + i, 0);
            if (flags == 0) {
                i += 8;
                continue;
            }
            i += first_flagged(flags);
        }
        if (p[i] < 0x20 && suspicious_control[p[i]]) {
            controls++;
            *nul |= p[i] == 0;
        }
        i++;
    }
    return controls;
}

PyDoc_STRVAR(text_facts_doc,
"text_facts(data, head) -> (bool, int, bool, bool)\n\n"
"In one pass over ``data``: whether its first ``head`` bytes hold a NUL, how many of them are C0 controls that\n"
"text does not hold, whether all of it is ASCII, and whether it is valid UTF-8 (a character cut at its end is\n"
"not an error, as for codecs.utf_8_decode(data, 'strict', False)). The Python twin is\n"
"detector.identify.byte_facts_py.");

static PyObject *text_facts(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer view;
    Py_ssize_t head;
    if (!PyArg_ParseTuple(args, "y*n", &view, &head)) return NULL;
    const unsigned char *p = view.buf;
    Py_ssize_t n = view.len, i = 0, controls = 0;
    int nul = 0, ascii = 1, utf8 = 1;
    if (head > n) head = n;
    if (head < 0) head = 0;
    while (i < n) {
        if (i + 8 <= n) {  /* eight plain ASCII bytes at a time (controls only matter within the head) */
            uint64_t flags = i < head ? flagged(p + i, 1) : high_bytes(p + i);
            if (flags == 0) {
                i += 8;
                continue;
            }
            i += first_flagged(flags);
        }
        unsigned char byte = p[i];
        if (byte < 0x80) {
            if (byte < 0x20 && i < head && suspicious_control[byte]) {
                controls++;
                nul |= byte == 0;
            }
            i++;
            continue;
        }
        ascii = 0;
        /* a run of multi-byte characters: three-byte ones (kana, kanji, full-width forms) the quick way */
        while (i < n && p[i] >= 0x80) {
            unsigned char lead = p[i];
            if (lead >= 0xE1 && lead <= 0xEF && lead != 0xED && i + 3 <= n &&
                    (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
                i += 3;
                continue;
            }
            int length = utf8_sequence(p + i, n - i);
            if (length > 0) {
                i += length;
                continue;
            }
            if (length == 0) utf8 = 0;
            break;
        }
        if (!utf8) {  /* all but the head's controls is known: not ASCII, not UTF-8 */
            controls += count_controls(p, i, head, &nul);
            break;
        }
        if (i < n && p[i] >= 0x80) break;  /* a character cut at the end */
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(NnNN)", PyBool_FromLong(nul), controls, PyBool_FromLong(ascii), PyBool_FromLong(utf8));
}

PyDoc_STRVAR(filesystem_type_doc,
"filesystem_type(fd) -> int\n\n"
"The type (statfs f_type, e.g. 0xEF53 for ext2/3/4) of the file system the open file ``fd`` is on. Raises\n"
"OSError.");

static PyObject *filesystem_type(PyObject *Py_UNUSED(self), PyObject *args) {
    int fd;
    if (!PyArg_ParseTuple(args, "i", &fd)) return NULL;
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromUnsignedLongLong((unsigned long long)(unsigned long)info.f_type);
}

/* ---- could_hold_spans: where in a str a candidate could be, for the tables' rows ------------------------------ */

/* A half- or full-width digit (the class the finder's and COULD_HOLD's patterns call DIGIT_CLASS). */
#define COULD_HOLD_DIGIT(c) ((Py_UCS4)((c) - '0') < 10 || (Py_UCS4)((c) - 0xFF10) < 10)

/* The spans detector.mynumber.COULD_HOLD's finditer gives, in one pass over the characters of one kind: a run of
 * twelve digits or more gives its first twelve (the rest of the run is read as a new run: the pattern has no look
 * behind), a run of four to eleven gives its last four with the separator after them, four digits, the same
 * separator and four digits, when those follow (the separator any character but a digit and NUL). */
#define COULD_HOLD_PASS(TYPE)                                                                                   \
    do {                                                                                                        \
        const TYPE *s = (const TYPE *)data;                                                                     \
        Py_ssize_t i = 0;                                                                                       \
        while (i < n) {                                                                                         \
            if (!COULD_HOLD_DIGIT(s[i])) {                                                                      \
                i++;                                                                                            \
                continue;                                                                                       \
            }                                                                                                   \
            Py_ssize_t r = i, j = i;                                                                            \
            while (j < n && COULD_HOLD_DIGIT(s[j])) j++;                                                        \
            if (j - r >= 12) {                                                                                  \
                if (add_span(spans, r, r + 12) < 0) goto failed;                                                \
                i = r + 12;                                                                                     \
                continue;                                                                                       \
            }                                                                                                   \
            if (j - r >= 4 && j + 10 <= n && s[j] != 0 && s[j + 5] == s[j]) {                                   \
                int groups = 1;                                                                                 \
                for (int k = 1; k <= 9 && groups; k++)                                                          \
                    if (k != 5 && !COULD_HOLD_DIGIT(s[j + k])) groups = 0;                                      \
                if (groups) {                                                                                   \
                    if (add_span(spans, j - 4, j + 10) < 0) goto failed;                                        \
                    i = j + 10;                                                                                 \
                    continue;                                                                                   \
                }                                                                                               \
            }                                                                                                   \
            i = j;                                                                                              \
        }                                                                                                       \
    } while (0)

static int add_span(PyObject *list, Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = Py_BuildValue("(nn)", start, end);
    if (span == NULL) return -1;
    int failed = PyList_Append(list, span);
    Py_DECREF(span);
    return failed;
}

PyDoc_STRVAR(could_hold_spans_doc,
"could_hold_spans(text) -> list of (start, end)\n\n"
"The spans of ``detector.mynumber.COULD_HOLD.finditer(text)``: twelve half- or full-width digits in a row, or\n"
"three groups of four joined twice by the same character (not a digit, not NUL), leftmost first, none\n"
"overlapping. The pattern's backreference makes re slow on digit-dense text (a table of phone numbers and\n"
"dates); this is one pass over the characters.");

static PyObject *could_hold_spans(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text)) return NULL;
    PyObject *spans = PyList_New(0);
    if (spans == NULL) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: COULD_HOLD_PASS(Py_UCS1); break;
    case PyUnicode_2BYTE_KIND: COULD_HOLD_PASS(Py_UCS2); break;
    default: COULD_HOLD_PASS(Py_UCS4); break;
    }
    return spans;
failed:
    Py_DECREF(spans);
    return NULL;
}

PyDoc_STRVAR(keep_freed_memory_doc,
"keep_freed_memory(mmap_threshold, trim_threshold) -> bool\n\n"
"Where the C library is glibc: blocks of ``mmap_threshold`` bytes or more are mapped of their own, smaller ones\n"
"come from the heap, and up to ``trim_threshold`` bytes freed at the heap's top stay with the process (glibc's\n"
"mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD, set once, which also ends glibc's own adjustment of the first).\n"
"True when both were set; False elsewhere. Not a result, so no Python twin: it changes no answer, only how\n"
"often the kernel hands a scanner's blocks fresh pages.");

static PyObject *keep_freed_memory(PyObject *Py_UNUSED(self), PyObject *args) {
    int mmap_threshold, trim_threshold;
    if (!PyArg_ParseTuple(args, "ii", &mmap_threshold, &trim_threshold)) return NULL;
#ifdef __GLIBC__
    int done = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
    return PyBool_FromLong(done);
#else
    (void)mmap_threshold, (void)trim_threshold;
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"keep_freed_memory", keep_freed_memory, METH_VARARGS, keep_freed_memory_doc},
    {"could_hold_spans", could_hold_spans, METH_VARARGS, could_hold_spans_doc},
    {"filesystem_type", filesystem_type, METH_VARARGS, filesystem_type_doc},
    {"text_facts", text_facts, METH_VARARGS, text_facts_doc},
    {"find_identity", find_identity, METH_VARARGS, find_identity_doc},
    {"stat_folders", stat_folders, METH_VARARGS, stat_folders_doc},
    {"ascii_hits", ascii_hits, METH_VARARGS, ascii_hits_doc},
    {"mask_builders", mask_builders, METH_NOARGS, mask_builders_doc},
    {"use_mask_builder", use_mask_builder, METH_VARARGS, use_mask_builder_doc},
    {"multibyte_hits", multibyte_hits, METH_VARARGS, multibyte_hits_doc},
    {"multibyte_quick", multibyte_quick, METH_VARARGS, multibyte_quick_doc},
    {"list_names", list_names, METH_VARARGS, list_names_doc},
    {"stat_names", stat_names, METH_VARARGS, stat_names_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "detector._speedups", "mynumber's optional C speed-ups (see _speedups.c).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    choose_mask_builder();
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddIntConstant(created, "MAX_SEPARATORS", MAX_SEPARATORS) < 0) Py_CLEAR(created);
    return created;
}
