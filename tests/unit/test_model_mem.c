/*
 * test_model_mem.c: the compact structures a schema model and a diff are
 * made of (autogenerate holds two models of ~30,000 objects at once):
 * arena text packed end to end, lookups that leave no key behind
 * (qp_model_find), the index of objects by key (qp_idmap,
 * 4 bytes a slot, renumbered when qp_model_finish sorts), an object's name
 * as the tail of its key, the column's size, and the diff's reverse
 * dependencies in two flat arrays (qp_diff_rdeps), the pointer lists that
 * grow in place (qp_arena_extend, the lists arena, qp_table_reserve_cols).
 * Memory itself is shown
 * in bench/; these pin the structures' behaviour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/diff.h"
#include "schema/model.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/hash.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------ */

static void test_arena_text_packed(void **state)
{
	qp_arena a = QP_ARENA_INIT;
	char *s1, *s2, *s3, *big;
	void *p, *q;
	size_t i;

	(void)state;
	p = qp_arena_alloc(&a, 3);
	s1 = qp_arena_strdup(&a, "ab");
	s2 = qp_arena_strdup(&a, "cde");
	s3 = qp_arena_strndup(&a, "fghij", 2);
	assert_non_null(p);
	assert_string_equal(s1, "ab");
	assert_string_equal(s2, "cde");
	assert_string_equal(s3, "fg");
	/* text follows text with no padding */
	assert_ptr_equal(s2, s1 + 3);
	assert_ptr_equal(s3, s2 + 4);
	/* an object after text is aligned again, and zeroed */
	q = qp_arena_alloc(&a, 24);
	assert_non_null(q);
	assert_int_equal((uintptr_t)q % alignof(max_align_t), 0);
	assert_true((char *)q >= s3 + 3);
	for (i = 0; i < 24; i++)
		assert_int_equal(((unsigned char *)q)[i], 0);
	/* zero bytes: a pointer of its own */
	assert_ptr_not_equal(qp_arena_alloc(&a, 0), qp_arena_alloc(&a, 0));
	/* printf, short and longer than its stack buffer */
	assert_string_equal(qp_arena_printf(&a, "%s-%d", "x", 7), "x-7");
	big = qp_arena_printf(&a, "%0300d|", 5);
	assert_non_null(big);
	assert_int_equal(strlen(big), 301);
	assert_int_equal(big[299], '5');
	/* larger than a block: a block of its own, the strings before it intact */
	big = qp_arena_textalloc(&a, 200000);
	assert_non_null(big);
	assert_int_equal(big[0], '\0');
	memset(big, 'z', 199999);
	big[199999] = '\0';
	assert_string_equal(s2, "cde");
	/* many strings across blocks, all intact */
	{
		char buf[32], *kept[5000];
		for (i = 0; i < 5000; i++) {
			snprintf(buf, sizeof(buf), "name%zu", i);
			kept[i] = qp_arena_strdup(&a, buf);
			assert_non_null(kept[i]);
		}
		for (i = 0; i < 5000; i++) {
			snprintf(buf, sizeof(buf), "name%zu", i);
			assert_string_equal(kept[i], buf);
		}
	}
	qp_arena_release(&a);
}

/* ---- qp_idmap --------------------------------------------------------- */

static const char *test_key_of(const void *ctx, unsigned id)
{
	return ((char *const *)ctx)[id];
}

static void test_idmap(void **state)
{
	qp_idmap m = QP_IDMAP_INIT;
	char **keys = calloc(3001, sizeof(*keys));
	char buf[64];
	unsigned i;

	(void)state;
	assert_non_null(keys);
	assert_int_equal(qp_idmap_get(&m, "none", test_key_of, keys), -1);
	for (i = 0; i < 3000; i++) {
		/* long keys alike but for the end, as a model's */
		snprintf(buf, sizeof(buf), "col public.table_of_many_things.c%u", i);
		keys[i] = strdup(buf);
		assert_int_equal(qp_idmap_put(&m, keys[i], i, test_key_of, keys), 0);
	}
	assert_int_equal(m.count, 3000);
	assert_true(m.cap >= 6000);
	/* 4 bytes a slot */
	assert_int_equal(sizeof(*m.slots), 4);
	for (i = 0; i < 3000; i++) {
		snprintf(buf, sizeof(buf), "col public.table_of_many_things.c%u", i);
		assert_int_equal(qp_idmap_get(&m, buf, test_key_of, keys), (long)i);
	}
	assert_int_equal(qp_idmap_get(&m, "col public.table_of_many_things.c3000", test_key_of, keys), -1);
	assert_int_equal(qp_idmap_get(&m, "", test_key_of, keys), -1);
	/* the same key again under another number: renumbered, not added */
	keys[3000] = strdup(keys[5]);
	assert_int_equal(qp_idmap_put(&m, keys[3000], 3000, test_key_of, keys), 0);
	assert_int_equal(m.count, 3000);
	assert_int_equal(qp_idmap_get(&m, "col public.table_of_many_things.c5", test_key_of, keys), 3000);
	/* cleared: empty, same slots */
	{
		size_t cap = m.cap;
		qp_idmap_clear(&m);
		assert_int_equal(m.count, 0);
		assert_int_equal(m.cap, cap);
		assert_int_equal(qp_idmap_get(&m, keys[5], test_key_of, keys), -1);
	}
	qp_idmap_release(&m);
	for (i = 0; i <= 3000; i++)
		free(keys[i]);
	free(keys);
}

/* ---- the model -------------------------------------------------------- */

static void test_arena_extend(void **state)
{
	qp_arena a = QP_ARENA_INIT;
	char *p, *q;

	(void)state;
	assert_int_equal(qp_arena_extend(&a, NULL, 0, 8), 0);
	p = qp_arena_alloc(&a, 16);
	assert_non_null(p);
	/* the last allocation grows in place */
	assert_int_equal(qp_arena_extend(&a, p, 16, 8), 1);
	assert_int_equal(a.used, 24);
	q = qp_arena_alloc(&a, 8);
	assert_true(q >= p + 24);
	/* no longer the last one; nor a pointer inside the last one */
	assert_int_equal(qp_arena_extend(&a, p, 24, 8), 0);
	assert_int_equal(qp_arena_extend(&a, q, 4, 8), 0);
	assert_int_equal(qp_arena_extend(&a, q, 8, 8), 1);
	/* not past the block's end */
	assert_int_equal(qp_arena_extend(&a, q, 16, 1u << 20), 0);
	qp_arena_release(&a);
}

/* A table's lists live in the model's lists arena: filled without a break
 * they take what they hold; mixed, at most twice; reserved, exactly. */
static void test_table_lists(void **state)
{
	qp_model m;
	qp_table *t1, *t2, *t3;
	qp_column *c;
	char name[16];
	size_t i, total;

	(void)state;
	qp_model_init(&m, QP_DIALECT_PG);
	t1 = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "t1", NULL);
	t2 = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "t2", NULL);
	t3 = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "t3", NULL);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_non_null(t3);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "a%zu", i);
		assert_non_null(qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", name, t1));
	}
	assert_int_equal(t1->n_cols, 10);
	assert_int_equal(t1->cap_cols, 10);
	/* two tables' columns mixed */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		assert_non_null(qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", name, i % 2 ? t2 : t1));
	}
	assert_int_equal(t1->n_cols, 20);
	assert_int_equal(t2->n_cols, 10);
	assert_true(t1->cap_cols <= 2 * t1->n_cols);
	assert_true(t2->cap_cols <= 2 * t2->n_cols);
	/* made at its size first: adding takes nothing more from the arena */
	assert_int_equal(qp_table_reserve_cols(&m, t3, 12), 0);
	assert_int_equal(t3->cap_cols, 12);
	assert_int_equal(qp_table_reserve_cols(&m, t3, 5), 0);
	assert_int_equal(t3->cap_cols, 12);
	total = m.lists.total;
	i = m.lists.used;
	for (size_t k = 0; k < 12; k++) {
		snprintf(name, sizeof(name), "c%zu", k);
		c = qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", name, k % 2 ? t3 : t2);
		assert_non_null(c);
	}
	assert_int_equal(t3->n_cols, 6);
	assert_int_equal(t3->cap_cols, 12);
	assert_int_equal(m.lists.total, total);
	assert_true(m.lists.used > i); /* t2's list grew, t3's did not */
	/* the columns, in order, in each list */
	assert_string_equal(t1->cols[0]->h.name, "a0");
	assert_string_equal(t1->cols[19]->h.name, "b18");
	assert_string_equal(t2->cols[9]->h.name, "b19");
	assert_string_equal(t3->cols[5]->h.name, "c11");
	/* dependencies: one object's, added together, in place */
	for (i = 0; i < 5; i++)
		assert_int_equal(qp_model_dep(&m, &t3->h, t1->cols[i] ? &t1->cols[i]->h : NULL), 0);
	assert_int_equal(t3->h.n_deps, 5);
	assert_int_equal(t3->h.cap_deps, 5);
	qp_model_release(&m);
}

static void test_column_size(void **state)
{
	(void)state;
	if (sizeof(void *) == 8)
		assert_int_equal(sizeof(qp_column), 128);
}

static void test_model_index(void **state)
{
	qp_model m;
	qp_table *tz, *ta;
	qp_column *c;
	qp_obj *o;
	char name[32];
	size_t i;

	(void)state;
	qp_model_init(&m, QP_DIALECT_PG);
	/* added out of key order, so that qp_model_finish moves them */
	tz = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "zeta", NULL);
	ta = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "alpha", NULL);
	assert_non_null(tz);
	assert_non_null(ta);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "c%03zu", 299 - i);
		c = qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", name, i % 2 ? ta : tz);
		assert_non_null(c);
		c->num = (int)i;
		/* the name is the key's tail, not a copy */
		assert_string_equal(c->h.name, name);
		assert_ptr_equal(c->h.name, c->h.key + strlen(c->h.key) - strlen(name));
	}
	assert_string_equal(tz->h.key, "rel public.zeta");
	assert_string_equal(tz->h.name, "zeta");
	assert_ptr_equal(qp_model_get(&m, "rel public.zeta"), &tz->h);
	/* a second object with the same key */
	assert_null(qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "zeta", NULL));
	assert_int_equal(qp_error_code(), QUIPU_EEXISTS);
	quipu_error_clear();
	assert_int_equal(m.n_objs, 302);

	qp_model_finish(&m);
	/* sorted by key, each found at its new place */
	for (i = 0; i < m.n_objs; i++) {
		o = m.objs[i];
		assert_int_equal(o->pos, i);
		assert_ptr_equal(qp_model_get(&m, o->key), o);
		if (i)
			assert_true(strcmp(m.objs[i - 1]->key, o->key) < 0);
	}
	assert_ptr_equal(qp_model_get(&m, "rel public.alpha"), &ta->h);
	o = qp_model_get(&m, "col public.alpha.c000");
	assert_non_null(o);
	assert_ptr_equal(o->table, ta);
	assert_null(qp_model_get(&m, "col public.zeta.c000"));
	assert_null(qp_model_get(&m, "rel public.beta"));
	/* a lookup by parts: the same answers, nothing left in the arena */
	{
		size_t used = m.arena.used;
		qp_arena_block *head = m.arena.head;
		char long_name[400];
		assert_ptr_equal(qp_model_find(&m, QP_K_TABLE, "public", NULL, "alpha"), &ta->h);
		assert_ptr_equal(qp_model_find(&m, QP_K_COLUMN, "public", "alpha", "c000"), o);
		assert_null(qp_model_find(&m, QP_K_COLUMN, "public", "zeta", "c000"));
		assert_null(qp_model_find(&m, QP_K_TABLE, "other", NULL, "alpha"));
		memset(long_name, 'n', sizeof(long_name) - 1);
		long_name[sizeof(long_name) - 1] = '\0';
		assert_null(qp_model_find(&m, QP_K_TABLE, "public", NULL, long_name));
		assert_int_equal(m.arena.used, used);
		assert_ptr_equal(m.arena.head, head);
		/* as qp_model_key spells it */
		assert_string_equal(qp_model_key(&m, QP_K_COLUMN, "public", "alpha", "c000"), "col public.alpha.c000");
		assert_non_null(qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", long_name, NULL));
		assert_non_null(qp_model_find(&m, QP_K_TABLE, "public", NULL, long_name));
	}
	/* added after the finish: found too */
	assert_non_null(qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "beta", NULL));
	assert_non_null(qp_model_get(&m, "rel public.beta"));
	assert_ptr_equal(qp_model_get(&m, "rel public.alpha"), &ta->h);
	qp_model_release(&m);
}

/* ---- reverse dependencies --------------------------------------------- */

static void test_rdeps(void **state)
{
	qp_model m, other;
	qp_table *t, *u, *v;
	qp_column *a, *b;
	qp_index *ix;
	qp_diff d;
	qp_obj *const *deps;
	size_t n;

	(void)state;
	qp_model_init(&m, QP_DIALECT_PG);
	qp_model_init(&other, QP_DIALECT_PG);
	t = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "t", NULL);
	u = qp_model_add(&m, sizeof(qp_table), QP_K_TABLE, "public", "u", NULL);
	a = qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", "a", t);
	b = qp_model_add(&m, sizeof(qp_column), QP_K_COLUMN, "public", "b", t);
	ix = qp_model_add(&m, sizeof(qp_index), QP_K_INDEX, "public", "t_a_idx", t);
	v = qp_model_add(&m, sizeof(qp_table), QP_K_VIEW, "public", "v", NULL);
	assert_non_null(v);
	assert_int_equal(qp_model_dep(&m, &ix->h, &a->h), 0);
	assert_int_equal(qp_model_dep(&m, &v->h, &t->h), 0);
	assert_int_equal(qp_model_dep(&m, &v->h, &b->h), 0);
	assert_int_equal(qp_model_dep(&m, &v->h, &u->h), 0);
	qp_model_finish(&m);

	memset(&d, 0, sizeof(d));
	d.cur = &m;
	d.want = &other;
	/* nothing before it is made */
	deps = qp_diff_dependents(&d, &t->h, &n);
	assert_int_equal(n, 0);
	assert_int_equal(qp_diff_rdeps(&d), 0);
	assert_int_equal(qp_diff_rdeps(&d), 0);   /* made once */

	/* t: its children and the view, in the model's (key) order */
	deps = qp_diff_dependents(&d, &t->h, &n);
	assert_int_equal(n, 4);
	assert_ptr_equal(deps[0], &a->h);   /* col public.t.a */
	assert_ptr_equal(deps[1], &b->h);   /* col public.t.b */
	assert_ptr_equal(deps[2], &ix->h);  /* rel public.t_a_idx */
	assert_ptr_equal(deps[3], &v->h);   /* rel public.v */
	deps = qp_diff_dependents(&d, &a->h, &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(deps[0], &ix->h);
	deps = qp_diff_dependents(&d, &b->h, &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(deps[0], &v->h);
	deps = qp_diff_dependents(&d, &u->h, &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(deps[0], &v->h);
	(void)qp_diff_dependents(&d, &v->h, &n);
	assert_int_equal(n, 0);
	(void)qp_diff_dependents(&d, &ix->h, &n);
	assert_int_equal(n, 0);

	/* an object of another model: its namesake's dependents, none when
	 * there is none */
	{
		qp_table *t2 = qp_model_add(&other, sizeof(qp_table), QP_K_TABLE, "public", "t", NULL);
		qp_table *w2 = qp_model_add(&other, sizeof(qp_table), QP_K_TABLE, "public", "w", NULL);
		deps = qp_diff_dependents(&d, &t2->h, &n);
		assert_int_equal(n, 4);
		assert_ptr_equal(deps[3], &v->h);
		(void)qp_diff_dependents(&d, &w2->h, &n);
		assert_int_equal(n, 0);
	}
	qp_diff_release(&d);
	qp_model_release(&m);
	qp_model_release(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_text_packed),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_arena_extend),
		cmocka_unit_test(test_table_lists),
		cmocka_unit_test(test_column_size),
		cmocka_unit_test(test_model_index),
		cmocka_unit_test(test_rdeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
