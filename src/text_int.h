/*
 * text_int: private to the text module (text.c, text_entities.c).
 */
#ifndef ARCTIC_DIGEST_TEXT_INT_H
#define ARCTIC_DIGEST_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>

/* The longest HTML5 entity name, without '&' and ';'. */
#define TEXT_ENTITY_NAME_MAX 32

/*
 * Look up the HTML5 named character reference name[0..n) (no '&', no ';';
 * case-sensitive).  Returns its UTF-8 replacement (a static string) or NULL
 * if unknown.  *legacy (may be NULL) is set to whether browsers also accept
 * the name without its ';' (the 106 Latin-1-era names such as "amp", "nbsp",
 * "copy").
 */
const char *text_entity_lookup(const char *name, size_t n, bool *legacy);

#endif
