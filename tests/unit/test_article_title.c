#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/util.h"

#define ON ARTICLE_ITALIC_ON
#define OFF ARTICLE_ITALIC_OFF

/* Set a title from the marked s and check both fields. */
static void
expect_marked(const char *s, const char *title, const char *markup)
{
    struct article a;

    article_init(&a);
    article_set_title_marked(&a, s, strlen(s));
    if (title)
        assert_string_equal(a.title, title);
    else
        assert_null(a.title);
    if (markup)
        assert_string_equal(a.title_markup, markup);
    else
        assert_null(a.title_markup);
    article_release(&a);
}

static void
test_runs_become_tags_and_the_title_stays_plain(void **state)
{
    (void)state;
    expect_marked("Lipids in " ON "Streptococcus agalactiae" OFF " & more",
                  "Lipids in Streptococcus agalactiae & more",
                  "Lipids in <i>Streptococcus agalactiae</i> &amp; more");
    expect_marked(ON "Calanus" OFF " <at> " ON "sea" OFF,
                  "Calanus <at> sea",
                  "<i>Calanus</i> &lt;at&gt; <i>sea</i>");
    expect_marked("No italics here", "No italics here", NULL);
}

static void
test_spaces_leave_a_run_and_empty_runs_go(void **state)
{
    (void)state;
    /* "<i>Calanus </i>finmarchicus": the space moves out of the run;
     * spaces that the markers kept apart are one, as without tags */
    expect_marked("The " ON " Calanus " OFF "finmarchicus",
                  "The Calanus finmarchicus",
                  "The <i>Calanus</i> finmarchicus");
    expect_marked("Empty " ON " " OFF "run", "Empty run", NULL);
    expect_marked(ON " Mya" OFF " truncata " ON " ", "Mya truncata",
                  "<i>Mya</i> truncata");
    /* two runs that touch are one */
    expect_marked(ON "Ursus" OFF ON " maritimus" OFF " diet",
                  "Ursus maritimus diet", "<i>Ursus maritimus</i> diet");
}

static void
test_unbalanced_markers_are_read_safely(void **state)
{
    (void)state;
    /* a stray close is dropped, a nested open counts, an open run ends
     * with the title */
    expect_marked("A" OFF " b " ON "c " ON "d" OFF " e" OFF " f",
                  "A b c d e f", "A b <i>c d e</i> f");
    expect_marked("Open " ON "to the end", "Open to the end",
                  "Open <i>to the end</i>");
    expect_marked(ON OFF, NULL, NULL);
    /* a title in italics whole is styling */
    expect_marked(ON "All of it " OFF, "All of it", NULL);
}

static void
test_marked_title_reads_back_from_the_markup(void **state)
{
    struct article a;
    char *m;
    (void)state;

    article_init(&a);
    article_set_title_marked(&a, "In " ON "Mya & Co" OFF " <2>",
                             strlen("In " ON "Mya & Co" OFF " <2>"));
    m = article_title_marked(&a);
    assert_string_equal(m, "In " ON "Mya & Co" OFF " <2>");
    free(m);
    /* markup that is not the title's (a record edited by hand) is
     * ignored, and marker code points in a plain title are dropped */
    free(a.title);
    a.title = xstrdup("In Mya & Co " ON "<3>");
    m = article_title_marked(&a);
    assert_string_equal(m, "In Mya & Co <3>");
    free(m);
    free(a.title_markup);
    a.title_markup = NULL;
    m = article_title_marked(&a);
    assert_string_equal(m, "In Mya & Co <3>");
    free(m);
    article_release(&a);
    assert_null(article_title_marked(&a));
}

static void
test_copy_keeps_the_markup(void **state)
{
    struct article a, b;
    (void)state;

    article_init(&a);
    article_set_title_marked(&a, ON "Calanus" OFF " blooms",
                             strlen(ON "Calanus" OFF " blooms"));
    article_copy(&b, &a);
    assert_string_equal(b.title_markup, "<i>Calanus</i> blooms");
    article_release(&a);
    article_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_become_tags_and_the_title_stays_plain),
        cmocka_unit_test(test_spaces_leave_a_run_and_empty_runs_go),
        cmocka_unit_test(test_unbalanced_markers_are_read_safely),
        cmocka_unit_test(test_marked_title_reads_back_from_the_markup),
        cmocka_unit_test(test_copy_keeps_the_markup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
