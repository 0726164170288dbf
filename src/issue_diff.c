/*
 * issue: the draft's article list that preview keeps, and what changed
 * since the last one (preview --diff; see issue.h).
 */
#include "arctic_digest/issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"

#define HEADER "# arctic-digest preview of issue "

/* Append p with control characters as spaces: a line of the list file,
 * and printed on a terminal, so nothing in a feed can move the cursor. */
static void
one_line(struct buf *out, const char *p)
{
    for (; p && *p; p++)
        buf_append_char(out, (unsigned char)*p < 0x20 || *p == 0x7f ? ' '
                                                                     : *p);
}

static void
link_of(const struct article *a, struct buf *out)
{
    if (a->url)
        one_line(out, a->url);
    else if (a->doi)
        buf_appendf(out, "https://doi.org/%s", a->doi);
}

void
issue_draft_list(const struct issue_draft *d, struct buf *out)
{
    size_t i;

    buf_appendf(out, HEADER "%d\n", d->number);
    for (i = 0; i < d->articles.n; i++) {
        link_of(&d->articles.v[i], out);
        buf_append_char(out, '\t');
        one_line(out, d->articles.v[i].title);
        buf_append_char(out, '\n');
    }
}

/* One article of a list: its link and title, as borrowed text. */
struct entry {
    const char *link, *title;
    size_t link_len, title_len;
};

static bool
same(const struct entry *a, const struct entry *b)
{
    if (a->link_len || b->link_len)
        return a->link_len == b->link_len &&
               memcmp(a->link, b->link, a->link_len) == 0;
    return a->title_len == b->title_len &&
           memcmp(a->title, b->title, a->title_len) == 0;
}

/* Split a list (text, n bytes) into entries, or none when it is of
 * another issue than number.  Caller frees *v. */
static size_t
parse_list(const char *text, size_t n, int number, struct entry **v)
{
    const char *p = text, *end = text + n, *nl, *tab;
    struct entry *list = NULL;
    size_t count = 0, alloc = 0;
    char want[64];

    *v = NULL;
    if (snprintf(want, sizeof(want), HEADER "%d\n", number) >=
        (int)sizeof(want))
        return 0;
    if (n < strlen(want) || memcmp(text, want, strlen(want)) != 0)
        return 0;
    for (p += strlen(want); p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        tab = memchr(p, '\t', (size_t)(nl - p));
        if (!tab)
            continue;
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        list[count].link = p;
        list[count].link_len = (size_t)(tab - p);
        list[count].title = tab + 1;
        list[count].title_len = (size_t)(nl - tab - 1);
        count++;
    }
    *v = list;
    return count;
}

static void
line(struct buf *out, char sign, const struct entry *x)
{
    buf_appendf(out, "%c %.*s", sign, (int)x->title_len, x->title);
    if (x->link_len)
        buf_appendf(out, " <%.*s>", (int)x->link_len, x->link);
    buf_append_char(out, '\n');
}

void
issue_draft_diff(const char *old, size_t old_len,
                 const struct issue_draft *d, struct buf *out,
                 size_t *added, size_t *dropped)
{
    struct buf now = BUF_INIT;
    struct entry *a = NULL, *b = NULL;
    size_t na, nb, i, j;

    *added = *dropped = 0;
    issue_draft_list(d, &now);
    na = parse_list(old, old_len, d->number, &a);
    nb = parse_list(now.data, now.len, d->number, &b);
    for (j = 0; j < nb; j++) {
        for (i = 0; i < na && !same(&a[i], &b[j]); i++)
            ;
        if (i == na) {
            line(out, '+', &b[j]);
            (*added)++;
        }
    }
    for (i = 0; i < na; i++) {
        for (j = 0; j < nb && !same(&a[i], &b[j]); j++)
            ;
        if (j == nb) {
            line(out, '-', &a[i]);
            (*dropped)++;
        }
    }
    free(a);
    free(b);
    buf_release(&now);
}
