/*
 * template: a Mustache engine and the data tree it renders.
 *
 * Implements the official Mustache spec (github.com/mustache/spec v1.x):
 * interpolation ({{x}}, {{{x}}}, {{&x}}) with dotted names and the implicit
 * iterator {{.}}, sections, inverted sections, comments, partials (with
 * standalone-line and indentation rules) and set delimiters.  Lambdas are
 * not supported.  Escaping of {{x}} follows the template's target:
 *   TPL_ESCAPE_HTML      & < > " (the spec's HTML escaping)
 *   TPL_ESCAPE_MARKDOWN  text_escape_markdown(): no markdown, HTML or entity
 *                        can come out of data
 *   TPL_ESCAPE_HEADER    nothing escaped, but CR/LF never pass
 *   TPL_ESCAPE_NONE      verbatim
 * so data (feed text) can never inject markup.  {{{x}}} and {{&x}} are
 * verbatim in every target.
 *
 * Values: null and missing names interpolate as "", numbers as JavaScript
 * prints them ("85", "1.21", "1e+21"), booleans as "true"/"false", lists
 * and maps as compact JSON.  A section skips falsey values as JavaScript's
 * !!value does (missing, null, false, 0, "") and the empty list; it
 * iterates a list and pushes any other value as the context.  Partials may
 * recurse through data but nest at most 100 deep (sections and partials
 * together 1000); deeper is an error.
 *
 * Errors (unclosed tags or sections, mismatched section ends, bad
 * delimiters) name the template, line and column:
 *   "template 'digest.md' line 4, column 7: unclosed section 'articles'".
 */
#ifndef ARCTIC_DIGEST_TEMPLATE_H
#define ARCTIC_DIGEST_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

enum tpl_type {
    TPL_NULL = 0,
    TPL_BOOL,
    TPL_NUMBER,
    TPL_STRING,
    TPL_LIST,
    TPL_MAP
};

/*
 * Item k of a list made on demand (tpl_list_lazy_new): a new value, which
 * the caller (the engine) frees when done with it.  Must not fail.
 */
typedef struct tpl_value *(*tpl_item_fn)(void *ctx, size_t k);
/* Releases the ctx of a list made on demand. */
typedef void (*tpl_ctx_free_fn)(void *ctx);
/* Appends the text of a string made on demand (tpl_str_made_new) to out;
 * the same text each time.  Must not fail. */
typedef void (*tpl_make_fn)(const void *ctx, int arg, struct buf *out);

/*
 * A JSON-like value.  Lists and maps own their children; a map keeps its
 * keys in insertion order and a later set of the same key replaces the
 * value.  A list made on demand has n items and no items array: item(ctx,
 * k) makes each when a section or the JSON writer reaches it.
 */
struct tpl_value {
    enum tpl_type type;
    bool b;
    double num;
    char *str;  /* TPL_STRING: NUL-terminated copy ... */
    size_t len; /* ... of len bytes */
    struct tpl_value **items; /* TPL_LIST items, TPL_MAP values */
    char **keys;              /* TPL_MAP keys, parallel to items */
    size_t n, alloc;
    tpl_item_fn item;         /* TPL_LIST made on demand, else NULL */
    void *item_ctx;
    tpl_ctx_free_fn item_ctx_free;
    bool borrowed;            /* TPL_STRING: str is not the value's own */
    tpl_make_fn make;         /* TPL_STRING made on demand: str is NULL */
    const void *make_ctx;
    int make_arg;
};

/* Constructors; never return NULL.  Caller frees with tpl_value_free(). */
struct tpl_value *tpl_null_new(void);
struct tpl_value *tpl_bool_new(bool b);
struct tpl_value *tpl_num_new(double num);
struct tpl_value *tpl_str_new(const char *p, size_t n);
/* NULL s gives a TPL_NULL value. */
struct tpl_value *tpl_cstr_new(const char *s);
struct tpl_value *tpl_list_new(void);
/*
 * A list of n items that are made one at a time, by item(ctx, k), when a
 * section or tpl_value_to_json() reaches them, and freed right after: a
 * thousand articles' data never exists at once.  A section over it runs
 * item() once per item each time it is rendered.  The list owns ctx and
 * releases it with ctx_free (may be NULL); tpl_list_push() on it frees
 * the value pushed and adds nothing.
 */
struct tpl_value *tpl_list_lazy_new(size_t n, tpl_item_fn item, void *ctx,
                                    tpl_ctx_free_fn ctx_free);
/*
 * A string value that borrows p[0..n) (p[n] must be '\0') instead of
 * copying it: p must outlive the value.  For a large text rendered into
 * another template (a digest's HTML body into its layout).
 */
struct tpl_value *tpl_str_borrow(const char *p, size_t n);
/*
 * A string whose text is made by make(ctx, arg, out) each time the engine
 * or tpl_value_to_json() needs it (its str is NULL and len 0: read it
 * through them only): a value that is costly to make and that templates
 * seldom use costs nothing until one does.  ctx is borrowed and must
 * outlive the value.
 */
struct tpl_value *tpl_str_made_new(tpl_make_fn make, const void *ctx,
                                   int arg);
struct tpl_value *tpl_map_new(void);
void tpl_value_free(struct tpl_value *v);

/* Append to a list / set a map key.  Both take ownership of v. */
void tpl_list_push(struct tpl_value *list, struct tpl_value *v);
void tpl_map_set(struct tpl_value *map, const char *key, struct tpl_value *v);
/* Shorthands: tpl_map_set(map, key, tpl_cstr_new(s)) etc. */
void tpl_map_set_str(struct tpl_value *map, const char *key, const char *s);
void tpl_map_set_num(struct tpl_value *map, const char *key, double num);
void tpl_map_set_bool(struct tpl_value *map, const char *key, bool b);
/* The value of key in map, or NULL (also when map is not a map). */
const struct tpl_value *tpl_map_get(const struct tpl_value *map,
                                    const char *key);

/*
 * Parse JSON text into a value.  Returns -1 with ERR_DATA and a message
 * naming line and column on malformed JSON; *out untouched on failure.
 */
int tpl_value_from_json(const char *p, size_t n, struct tpl_value **out,
                        struct err *e);
/* Compact JSON on one line (no trailing newline), keys in map order,
 * non-ASCII written as UTF-8, integral numbers without a fraction. */
void tpl_value_to_json(const struct tpl_value *v, struct buf *out);

enum tpl_escape {
    TPL_ESCAPE_NONE = 0,
    TPL_ESCAPE_HTML,
    TPL_ESCAPE_MARKDOWN,
    TPL_ESCAPE_HEADER
};

/* The escaping for a template file name: .md markdown, .html/.htm HTML,
 * .txt header-safe, anything else HTML (the spec's default). */
enum tpl_escape tpl_escape_for_name(const char *filename);

/*
 * Look up a partial by name.  Append its text to out and return 0, or
 * return -1 if there is no such partial (the spec renders it as empty).
 */
typedef int (*tpl_partial_fn)(void *ctx, const char *name, struct buf *out);

/*
 * Called after each item of a list made on demand has been rendered, with
 * the output rendered so far: it may take (and remove) a leading part of
 * out, to work on it while the rest is rendered, so that the whole output
 * is never held at once.  Returns 0, or -1 with e filled to stop the
 * render with that error.
 */
typedef int (*tpl_drain_fn)(void *ctx, struct buf *out, struct err *e);

struct tpl_options {
    const char *name;         /* template name for error messages */
    enum tpl_escape escape;
    tpl_partial_fn partial;   /* may be NULL: no partials */
    void *partial_ctx;
    tpl_drain_fn drain;       /* may be NULL: out grows whole */
    void *drain_ctx;
};

/*
 * Render template tpl[0..n) with data (may be NULL: empty context) and
 * append the result to out.  On error returns -1 (ERR_DATA with template,
 * line and column); out may then hold partial output.
 */
int tpl_render(const char *tpl, size_t n, const struct tpl_value *data,
               const struct tpl_options *opt, struct buf *out, struct err *e);

#endif
