/* template: the value tree the engine renders, and its JSON form. */
#include "arctic_digest/template.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "template_int.h"

static struct tpl_value *
value_new(enum tpl_type type)
{
    struct tpl_value *v = xcalloc(1, sizeof(*v));

    v->type = type;
    return v;
}

struct tpl_value *
tpl_null_new(void)
{
    return value_new(TPL_NULL);
}

struct tpl_value *
tpl_bool_new(bool b)
{
    struct tpl_value *v = value_new(TPL_BOOL);

    v->b = b;
    return v;
}

struct tpl_value *
tpl_num_new(double num)
{
    struct tpl_value *v = value_new(TPL_NUMBER);

    v->num = num;
    return v;
}

/* A string's bytes live right after its value, in one allocation: the
 * data of a digest is tens of thousands of small strings. */
static char *
inline_str(struct tpl_value *v)
{
    return (char *)(v + 1);
}

struct tpl_value *
tpl_str_new(const char *p, size_t n)
{
    struct tpl_value *v;

    if (n >= (size_t)-1 - sizeof(*v))
        xmalloc((size_t)-1); /* overflow: report as out of memory */
    v = xmalloc(sizeof(*v) + n + 1);
    memset(v, 0, sizeof(*v));
    v->type = TPL_STRING;
    v->str = inline_str(v);
    if (n)
        memcpy(v->str, p, n);
    v->str[n] = '\0';
    v->len = n;
    return v;
}

struct tpl_value *
tpl_cstr_new(const char *s)
{
    if (!s)
        return tpl_null_new();
    return tpl_str_new(s, strlen(s));
}

struct tpl_value *
tpl_list_new(void)
{
    return value_new(TPL_LIST);
}

struct tpl_value *
tpl_list_lazy_new(size_t n, tpl_item_fn item, void *ctx,
                  tpl_ctx_free_fn ctx_free)
{
    struct tpl_value *v = value_new(TPL_LIST);

    v->n = n;
    v->item = item;
    v->item_ctx = ctx;
    v->item_ctx_free = ctx_free;
    return v;
}

struct tpl_value *
tpl_str_borrow(const char *p, size_t n)
{
    struct tpl_value *v = value_new(TPL_STRING);

    v->str = (char *)p; /* never written through, never freed */
    v->len = n;
    v->borrowed = true;
    return v;
}

struct tpl_value *
tpl_str_made_new(tpl_make_fn make, const void *ctx, int arg)
{
    struct tpl_value *v = value_new(TPL_STRING);

    v->make = make;
    v->make_ctx = ctx;
    v->make_arg = arg;
    return v;
}

struct tpl_value *
tpl_map_new(void)
{
    return value_new(TPL_MAP);
}

void
tpl_value_free(struct tpl_value *v)
{
    size_t i;

    if (!v)
        return;
    if (v->item) {
        if (v->item_ctx_free)
            v->item_ctx_free(v->item_ctx);
        free(v);
        return;
    }
    for (i = 0; i < v->n; i++) {
        tpl_value_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    if (v->str != inline_str(v) && !v->borrowed)
        free(v->str);
    free(v);
}

void
tpl_list_push(struct tpl_value *list, struct tpl_value *v)
{
    if (list->type != TPL_LIST || list->item) {
        tpl_value_free(v);
        return;
    }
    xgrow(&list->items, &list->alloc, list->n + 1, sizeof(*list->items));
    list->items[list->n++] = v;
}

/* Append without looking for an existing key: for sources (JSON objects)
 * whose keys are already unique, so building stays linear. */
static void
map_append(struct tpl_value *map, const char *key, struct tpl_value *v)
{
    size_t alloc = map->alloc;

    xgrow(&map->items, &map->alloc, map->n + 1, sizeof(*map->items));
    if (map->alloc != alloc || !map->keys)
        map->keys = xrealloc(map->keys, map->alloc * sizeof(*map->keys));
    map->keys[map->n] = xstrdup(key);
    map->items[map->n++] = v;
}

void
tpl_map_set(struct tpl_value *map, const char *key, struct tpl_value *v)
{
    size_t i;

    if (map->type != TPL_MAP) {
        tpl_value_free(v);
        return;
    }
    for (i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i], key) == 0) {
            tpl_value_free(map->items[i]);
            map->items[i] = v;
            return;
        }
    }
    map_append(map, key, v);
}

void
tpl_map_set_str(struct tpl_value *map, const char *key, const char *s)
{
    tpl_map_set(map, key, tpl_cstr_new(s));
}

void
tpl_map_set_num(struct tpl_value *map, const char *key, double num)
{
    tpl_map_set(map, key, tpl_num_new(num));
}

void
tpl_map_set_bool(struct tpl_value *map, const char *key, bool b)
{
    tpl_map_set(map, key, tpl_bool_new(b));
}

const struct tpl_value *
tpl_map_get_n(const struct tpl_value *map, const char *p, size_t n)
{
    size_t i;

    if (!map || map->type != TPL_MAP)
        return NULL;
    for (i = 0; i < map->n; i++) {
        if (strncmp(map->keys[i], p, n) == 0 && map->keys[i][n] == '\0')
            return map->items[i];
    }
    return NULL;
}

const struct tpl_value *
tpl_map_get(const struct tpl_value *map, const char *key)
{
    return tpl_map_get_n(map, key, strlen(key));
}

/* Shortest "%.*e" digits of num (finite, > 0) that read back as num. */
static void
shortest_digits(double num, char *digits, int *exp10)
{
    char tmp[40];
    int prec, k = 0;
    char *p;

    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec, num);
        if (strtod(tmp, NULL) == num)
            break;
    }
    for (p = tmp; *p && *p != 'e'; p++) {
        if (*p != '.')
            digits[k++] = *p;
    }
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *exp10 = atoi(p + 1);
}

static void
append_zeros(struct buf *out, int count)
{
    while (count-- > 0)
        buf_append_char(out, '0');
}

/* An integral num under 1e15 (exact in a double): its digits, which is
 * what the shortest round trip gives, without its up to 17 snprintf and
 * strtod calls.  Templates print mostly such numbers (counts, indexes). */
static void
append_integer(double num, struct buf *out)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    unsigned long long v = (unsigned long long)num;

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_append(out, tmp + i, sizeof(tmp) - i);
}

void
tpl_format_num(double num, struct buf *out)
{
    char digits[40];
    int e, k, n;

    if (isnan(num) || num == 0) {
        buf_append_str(out, num == 0 ? "0" : "NaN"); /* -0 too, as JS */
        return;
    }
    if (num < 0)
        buf_append_char(out, '-');
    num = fabs(num);
    if (isinf(num)) {
        buf_append_str(out, "Infinity");
        return;
    }
    if (num < 1e15 && num == floor(num)) {
        append_integer(num, out);
        return;
    }
    shortest_digits(num, digits, &e);
    k = (int)strlen(digits);
    n = e + 1; /* num = 0.d1d2...dk * 10^n, as in ECMA-262 */
    if (k <= n && n <= 21) {
        buf_append_str(out, digits);
        append_zeros(out, n - k);
    } else if (0 < n && n <= 21) {
        buf_appendf(out, "%.*s.%s", n, digits, digits + n);
    } else if (-6 < n && n <= 0) {
        buf_append_str(out, "0.");
        append_zeros(out, -n);
        buf_append_str(out, digits);
    } else {
        buf_appendf(out, "%c%s%s", digits[0], k > 1 ? "." : "", digits + 1);
        buf_appendf(out, "e%+d", n - 1);
    }
}

static struct tpl_value *
from_jansson(json_t *j)
{
    struct tpl_value *v;
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v = tpl_map_new();
        json_object_foreach (j, key, item) {
            map_append(v, key, from_jansson(item));
        }
        return v;
    case JSON_ARRAY:
        v = tpl_list_new();
        json_array_foreach (j, i, item) {
            tpl_list_push(v, from_jansson(item));
        }
        return v;
    case JSON_STRING:
        return tpl_str_new(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return tpl_num_new((double)json_integer_value(j));
    case JSON_REAL:
        return tpl_num_new(json_real_value(j));
    case JSON_TRUE:
        return tpl_bool_new(true);
    case JSON_FALSE:
        return tpl_bool_new(false);
    case JSON_NULL:
    default:
        return tpl_null_new();
    }
}

int
tpl_value_from_json(const char *p, size_t n, struct tpl_value **out,
                    struct err *e)
{
    /* Integers as doubles: the tree keeps one number type, and integers
     * beyond 64 bits do not fail. */
    size_t flags = JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL;
    json_error_t jerr;
    json_t *j;

    j = json_loadb(p, n, flags, &jerr);
    if (!j)
        return err_set(e, ERR_DATA, 0, "invalid JSON at line %d, column %d: %s",
                       jerr.line > 0 ? jerr.line : 1,
                       jerr.column > 0 ? jerr.column : 1, jerr.text);
    *out = from_jansson(j);
    json_decref(j);
    return 0;
}

static void
json_string_out(const char *p, size_t n, struct buf *out)
{
    size_t i;

    buf_append_char(out, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        switch (c) {
        case '"':
            buf_append_str(out, "\\\"");
            break;
        case '\\':
            buf_append_str(out, "\\\\");
            break;
        case '\b':
            buf_append_str(out, "\\b");
            break;
        case '\f':
            buf_append_str(out, "\\f");
            break;
        case '\n':
            buf_append_str(out, "\\n");
            break;
        case '\r':
            buf_append_str(out, "\\r");
            break;
        case '\t':
            buf_append_str(out, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_appendf(out, "\\u%04x", c);
            else
                buf_append_char(out, (char)c);
        }
    }
    buf_append_char(out, '"');
}

void
tpl_value_to_json(const struct tpl_value *v, struct buf *out)
{
    size_t i;

    switch (v ? v->type : TPL_NULL) {
    case TPL_BOOL:
        buf_append_str(out, v->b ? "true" : "false");
        break;
    case TPL_NUMBER:
        /* JSON has no NaN or infinity. */
        if (isfinite(v->num))
            tpl_format_num(v->num, out);
        else
            buf_append_str(out, "null");
        break;
    case TPL_STRING:
        if (v->make) {
            struct buf made = BUF_INIT;
            v->make(v->make_ctx, v->make_arg, &made);
            json_string_out(made.data, made.len, out);
            buf_release(&made);
        } else {
            json_string_out(v->str, v->len, out);
        }
        break;
    case TPL_LIST:
    case TPL_MAP:
        buf_append_char(out, v->type == TPL_LIST ? '[' : '{');
        for (i = 0; i < v->n; i++) {
            if (i > 0)
                buf_append_char(out, ',');
            if (v->type == TPL_MAP) {
                json_string_out(v->keys[i], strlen(v->keys[i]), out);
                buf_append_char(out, ':');
            }
            if (v->item) {
                struct tpl_value *it = v->item(v->item_ctx, i);
                tpl_value_to_json(it, out);
                tpl_value_free(it);
            } else {
                tpl_value_to_json(v->items[i], out);
            }
        }
        buf_append_char(out, v->type == TPL_LIST ? ']' : '}');
        break;
    case TPL_NULL:
    default:
        buf_append_str(out, "null");
        break;
    }
}
