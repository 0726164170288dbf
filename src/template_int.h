/*
 * template_int: helpers shared by template.c (the engine) and
 * template_value.c (the value tree and JSON).  Private to the module.
 */
#ifndef ARCTIC_DIGEST_TEMPLATE_INT_H
#define ARCTIC_DIGEST_TEMPLATE_INT_H

#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/template.h"

/*
 * Append num as JavaScript's Number.prototype.toString() would: the
 * shortest digits that read back as the same double, integral values
 * without a fraction below 1e21 ("85", "1.21", "1e+21", "1e-7").  NaN and
 * the infinities give "NaN", "Infinity" and "-Infinity".
 */
void tpl_format_num(double num, struct buf *out);

/* The value of the key p[0..n) in map, or NULL (also when not a map). */
const struct tpl_value *tpl_map_get_n(const struct tpl_value *map,
                                      const char *p, size_t n);

#endif
